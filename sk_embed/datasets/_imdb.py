"""Loader for the Large Movie Review Dataset (IMDB sentiment reviews).

The data is read in its own layout,
``aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt``, from a folder called
``data_home`` holding one of (first match wins):

1. ``aclImdb_labeled.tar.gz``: an archive of the labeled reviews only;
2. ``aclImdb_v1.tar.gz``: the official archive (its ``train/unsup/`` reviews,
   feature files and URL lists are ignored);
3. ``aclImdb/``: the extracted official archive.

Archives are streamed with :mod:`tarfile`; nothing is extracted. The parsed
reviews are cached in a ``.npz`` file (see :func:`fetch_imdb`, Notes) so that
later calls skip the parsing.

This module holds :func:`fetch_imdb` and the Bunch it returns; finding or
downloading the data is in :mod:`._imdb_source`, parsing it in
:mod:`._imdb_parse` and the cache in :mod:`._imdb_cache`.
"""

import numpy as np
from sklearn.utils import Bunch, check_random_state

from ._imdb_cache import _cache_dir, _cache_file, _read_cache, _write_cache
from ._imdb_parse import LABELS, SPLITS, IMDBCorruptDataError, _parse
from ._imdb_source import (
    EXTRACTED_DIR_NAME,
    IMDBDataNotFoundError,
    _find_source,
    _obtain_archive,
    _resolve_data_home,
)

__all__ = ["fetch_imdb", "IMDBDataNotFoundError", "IMDBCorruptDataError"]

_SUBSETS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}


DESCR = """\
.. _imdb_dataset:

Large Movie Review Dataset (IMDB sentiment)
-------------------------------------------

**Data Set Characteristics:**

    :Number of reviews: 50,000 (25,000 train, 25,000 test)
    :Classes: 2, balanced ("neg" = 0, "pos" = 1), 12,500 per class and split
    :Ratings: neg reviews are rated 1-4 out of 10, pos reviews 7-10
    :Text: raw English text as written on IMDB, UTF-8, with HTML line breaks
        (``<br />``) left in place
    :Source: https://ai.stanford.edu/~amaas/data/sentiment/

Movie reviews collected from IMDB for binary sentiment classification, with
at most 30 reviews per movie. Train and test cover disjoint sets of movies.
Reviews with a neutral rating (5 or 6) are not part of the labeled data. The
official archive also holds 50,000 unlabeled reviews, which this loader leaves
out. The same reviews, already tokenized and indexed, are the data behind
``keras.datasets.imdb``.

Without shuffling, the reviews come train before test, and within a split
"neg" before "pos", each sorted by the numeric id of its file name.

``rating`` holds the 1-10 rating taken from the file name ``<id>_<rating>.txt``
and ``filenames`` the path of each review inside the archive.

.. topic:: References

  - Andrew L. Maas, Raymond E. Daly, Peter T. Pham, Dan Huang, Andrew Y. Ng and
    Christopher Potts (2011). Learning Word Vectors for Sentiment Analysis.
    Proceedings of the 49th Annual Meeting of the Association for
    Computational Linguistics (ACL 2011), pages 142-150.
"""


# --------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------


def fetch_imdb(
    subset="train",
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    shuffle=False,
    random_state=None,
    verbose=True,
):
    """Load the IMDB movie reviews for binary sentiment classification.

    The Large Movie Review Dataset (Maas et al., 2011): 50,000 labeled movie
    reviews, split evenly into train and test, each half balanced between
    negative and positive reviews.

    =================   ==========================
    Classes                                      2
    Samples per split                       25,000
    Samples total                           50,000
    Features             text (raw str, UTF-8)
    =================   ==========================

    The data is read from ``data_home``, which holds ``aclImdb_labeled.tar.gz``,
    the official ``aclImdb_v1.tar.gz`` or its extracted ``aclImdb/`` folder
    (looked for in that order). The first call parses it (a few seconds) and
    caches the result; later calls read the cache.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Which split to load. "all" is train followed by test.

    data_home : str or path-like, default=None
        Folder holding the data. By default, the ``SK_EMBED_DATA`` environment
        variable, else ``~/sk_embed_data``.

    download_if_missing : bool, default=True
        If the data is not in ``data_home``, download the official archive
        (84 MB) from :data:`ARCHIVE_URL` into ``data_home`` and check its
        sha256 against :data:`ARCHIVE_SHA256`. If False, raise instead.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    shuffle : bool, default=False
        Whether to shuffle the reviews (data, target, rating and filenames
        together). Without shuffling the order is deterministic: "neg" then
        "pos" within a split, each sorted by the numeric id of the file name,
        and train before test for ``subset="all"``.

    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling; pass an int for reproducible output. Ignored when
        ``shuffle=False``.

    verbose : bool, default=True
        Whether to report progress on stderr while the archive is downloaded
        or parsed (first call only). Calls served from the cache print nothing.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : list of str
            The reviews, raw text (``<br />`` line breaks included).
        target : ndarray of shape (n_samples,), dtype int64
            0 for a negative review, 1 for a positive one.
        target_names : list of str
            ``["neg", "pos"]``.
        rating : ndarray of shape (n_samples,), dtype int64
            The rating out of 10, from the file name: 1-4 for "neg", 7-10 for
            "pos".
        filenames : ndarray of shape (n_samples,), dtype str
            Path of each review inside the archive, such as
            ``"aclImdb/train/pos/4715_9.txt"``.
        DESCR : str
            Description of the dataset.

    (data, target) : tuple
        If ``return_X_y`` is True: the list of reviews and the target array.

    Raises
    ------
    ValueError
        If ``subset`` is not "train", "test" or "all".
    IMDBDataNotFoundError
        A :class:`FileNotFoundError` (so an :class:`OSError`): the data is
        not in ``data_home`` and ``download_if_missing`` is False, or the
        download failed (no network, sha256 mismatch...). The message lists
        every path looked at and how to provide the data.
    IMDBCorruptDataError
        A :class:`ValueError`: the archive or folder found is damaged or not
        in the dataset's layout (truncated or invalid gzip, not a tar, a
        missing ``train``/``test`` ``neg``/``pos`` folder, a review that is
        not UTF-8). The message names the file; no cache is written.

    See Also
    --------
    sklearn.datasets.fetch_20newsgroups : The same kind of loader for another
        text classification dataset.

    Notes
    -----
    The parsed reviews are cached in one ``.npz`` file per source (read with
    ``allow_pickle=False``), named ``imdb-<source>-<state>.npz``: ``<source>``
    hashes the source's path and ``<state>`` its size and modification time
    (for an archive) or the names, sizes and modification times of the review
    files (for a folder). Any change to the source therefore leads to a new
    parse, after which the outdated cache file is deleted. The cache lives in

    1. the ``SK_EMBED_CACHE`` environment variable's folder, if set;
    2. else ``data_home``, if it is writable (permission bits are checked, so
       a folder made read-only is respected even when running as root);
    3. else ``~/.cache/sk_embed``.

    Cache files and downloads are written to a temporary file in the same
    folder and then renamed, so an interruption never leaves a partial file
    under the final name. A cache that cannot be written only raises a
    warning; a damaged cache file is ignored and rebuilt.

    References
    ----------
    .. [1] Maas, A. L., Daly, R. E., Pham, P. T., Huang, D., Ng, A. Y. and
       Potts, C. (2011). Learning Word Vectors for Sentiment Analysis. ACL 2011.

    Examples
    --------
    A folder in the dataset's layout, here with one review per class and split:

    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> from sk_embed.datasets import fetch_imdb
    >>> home = Path(tempfile.mkdtemp())
    >>> for split in ["train", "test"]:
    ...     for label, name, text in [("neg", "0_2.txt", "Dull.<br />Too long."),
    ...                               ("pos", "0_9.txt", "A gem.")]:
    ...         folder = home / "aclImdb" / split / label
    ...         folder.mkdir(parents=True)
    ...         _ = (folder / name).write_text(text, encoding="utf-8")
    >>> train = fetch_imdb("train", data_home=home, verbose=False)
    >>> train.data
    ['Dull.<br />Too long.', 'A gem.']
    >>> train.target, train.rating
    (array([0, 1]), array([2, 9]))
    >>> train.target_names
    ['neg', 'pos']
    >>> X, y = fetch_imdb("all", data_home=home, return_X_y=True, verbose=False)
    >>> len(X), y.tolist()
    (4, [0, 1, 0, 1])
    >>> shutil.rmtree(home)

    With the real data (``SK_EMBED_DATA`` set, or downloaded on first use):

    >>> X, y = fetch_imdb("test", return_X_y=True)  # doctest: +SKIP
    >>> len(X), y.shape, y.mean()  # doctest: +SKIP
    (25000, (25000,), 0.5)
    """
    splits = _splits_of(subset)  # validate before touching the disk
    data_home, origin = _resolve_data_home(data_home)
    source = _find_source(data_home)
    if source is None:
        source = _obtain_archive(data_home, origin, download_if_missing, verbose)
    reviews = _load_reviews(source, data_home, verbose)
    bunch = _make_bunch(reviews, splits)
    if shuffle:
        _shuffle_in_place(bunch, check_random_state(random_state))
    if return_X_y:
        return bunch.data, bunch.target
    return bunch


def _splits_of(subset):
    if not isinstance(subset, str) or subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {sorted(_SUBSETS)}, got {subset!r}.")
    return _SUBSETS[subset]


# --------------------------------------------------------------------------
# Parsing, with the cache in front
# --------------------------------------------------------------------------


def _load_reviews(source, data_home, verbose):
    cache_file = _cache_file(source, _cache_dir(data_home))
    reviews = _read_cache(cache_file)
    if reviews is None:
        reviews = _parse(source, verbose)
        _write_cache(reviews, cache_file)
    return reviews


# --------------------------------------------------------------------------
# Building the result
# --------------------------------------------------------------------------


def _make_bunch(reviews, splits):
    wanted = [SPLITS.index(split) for split in splits]
    # The reviews are stored in canonical order (train before test), so the
    # selected indices are already in the documented order.
    indices = np.flatnonzero(np.isin(reviews.split, wanted))
    target = reviews.target[indices].astype(np.int64)
    rating = reviews.rating[indices].astype(np.int64)
    return Bunch(
        data=_decode_texts(reviews, indices),
        target=target,
        target_names=list(LABELS),
        rating=rating,
        filenames=_filenames(
            reviews.split[indices], target, reviews.review_id[indices], rating
        ),
        DESCR=DESCR,
    )


def _decode_texts(reviews, indices):
    utf8 = reviews.text_utf8.tobytes()
    starts = reviews.text_offsets[indices].tolist()
    ends = reviews.text_offsets[indices + 1].tolist()
    return [
        utf8[start:end].decode("utf-8") for start, end in zip(starts, ends, strict=True)
    ]


def _filenames(split, target, review_id, rating):
    names = [
        f"{EXTRACTED_DIR_NAME}/{SPLITS[s]}/{LABELS[t]}/{i}_{r}.txt"
        for s, t, i, r in zip(
            split.tolist(),
            target.tolist(),
            review_id.tolist(),
            rating.tolist(),
            strict=True,
        )
    ]
    return np.array(names, dtype=str)


def _shuffle_in_place(bunch, random_state):
    order = random_state.permutation(len(bunch.data))
    bunch.data = [bunch.data[i] for i in order]
    for name in ("target", "rating", "filenames"):
        bunch[name] = bunch[name][order]
