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
"""

import contextlib
import gzip
import hashlib
import http.client
import os
import re
import stat
import sys
import tarfile
import tempfile
import urllib.request
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.utils import Bunch, check_random_state

__all__ = ["fetch_imdb", "IMDBDataNotFoundError", "IMDBCorruptDataError"]

#: Where the official archive is downloaded from.
ARCHIVE_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
#: sha256 of the official archive; a download that does not match is deleted.
ARCHIVE_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"

OFFICIAL_ARCHIVE_NAME = "aclImdb_v1.tar.gz"
LABELED_ARCHIVE_NAME = "aclImdb_labeled.tar.gz"
EXTRACTED_DIR_NAME = "aclImdb"

DATA_HOME_ENV = "SK_EMBED_DATA"
CACHE_ENV = "SK_EMBED_CACHE"
DEFAULT_DATA_HOME = "~/sk_embed_data"
DEFAULT_CACHE_DIR = "~/.cache/sk_embed"

SPLITS = ("train", "test")
LABELS = ("neg", "pos")  # index in this tuple == target value
_SUBSETS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}

# Only these files are reviews; everything else in the archive (README,
# train/unsup/, *.feat, urls_*.txt, .DS_Store...) is ignored.
_REVIEW_NAME = re.compile(r"(\d{1,18})_(\d{1,2})\.txt")
_REVIEW_PATH = re.compile(
    r"(?:\./)?aclImdb/(train|test)/(neg|pos)/" + _REVIEW_NAME.pattern
)

# Bump when the layout of the cache file changes, so old caches are ignored.
_CACHE_FORMAT_VERSION = 1
_CACHE_PREFIX = "imdb-"
_DOWNLOAD_TIMEOUT_SECONDS = 60
_CHUNK_BYTES = 1 << 20

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


class IMDBDataNotFoundError(FileNotFoundError):
    """The IMDB data is neither in ``data_home`` nor could it be downloaded."""


class IMDBCorruptDataError(ValueError):
    """An IMDB archive or folder exists but cannot be read as the dataset."""


class _Source(NamedTuple):
    path: Path
    kind: str  # "archive" or "directory"


class _Reviews(NamedTuple):
    """All labeled reviews, in canonical order; also the cache file's arrays."""

    text_utf8: np.ndarray  # uint8: the UTF-8 of every review, back to back
    text_offsets: np.ndarray  # int64, n + 1: review i is text_utf8[o[i]:o[i + 1]]
    split: np.ndarray  # int8: index into SPLITS
    target: np.ndarray  # int8: index into LABELS
    review_id: np.ndarray  # int64: the <id> of the file name
    rating: np.ndarray  # int8: the <rating> of the file name


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
# Locating the data
# --------------------------------------------------------------------------


def _resolve_data_home(data_home):
    """Return ``(folder, how it was chosen)``; the latter goes in error messages."""
    if data_home is not None:
        return Path(data_home).expanduser().absolute(), "the data_home argument"
    from_env = os.environ.get(DATA_HOME_ENV)
    if from_env:
        return (
            Path(from_env).expanduser().absolute(),
            f"the {DATA_HOME_ENV} environment variable",
        )
    return (
        Path(DEFAULT_DATA_HOME).expanduser().absolute(),
        f"the default, as neither data_home nor {DATA_HOME_ENV} is set",
    )


def _candidate_sources(data_home):
    # Archives first: they appear atomically, whereas an extracted folder may
    # be a half-finished extraction.
    return [
        _Source(data_home / LABELED_ARCHIVE_NAME, "archive"),
        _Source(data_home / OFFICIAL_ARCHIVE_NAME, "archive"),
        _Source(data_home / EXTRACTED_DIR_NAME, "directory"),
    ]


def _find_source(data_home):
    for source in _candidate_sources(data_home):
        exists = (
            source.path.is_file() if source.kind == "archive" else source.path.is_dir()
        )
        if exists:
            return source
    return None


def _obtain_archive(data_home, origin, download_if_missing, verbose):
    """Download the official archive, or raise a helpful IMDBDataNotFoundError."""
    if not download_if_missing:
        raise IMDBDataNotFoundError(
            _not_found_message(data_home, origin, "download_if_missing=False")
        )
    try:
        return _Source(_download_archive(data_home, verbose), "archive")
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # URLError, HTTPError, timeouts, a read-only data_home and a sha256
        # mismatch all end here: the user needs the same advice for each.
        reason = f"downloading {ARCHIVE_URL} failed: {exc}"
        raise IMDBDataNotFoundError(
            _not_found_message(data_home, origin, reason)
        ) from exc


def _not_found_message(data_home, origin, reason):
    looked_at = "\n".join(
        f"  {source.path}{os.sep if source.kind == 'directory' else ''}"
        for source in _candidate_sources(data_home)
    )
    return (
        f"IMDB data not found ({reason}).\n"
        f"data_home is {data_home} ({origin}); looked for:\n{looked_at}\n"
        f"To provide the data, put {LABELED_ARCHIVE_NAME}, the official "
        f"{OFFICIAL_ARCHIVE_NAME} (from {ARCHIVE_URL}) or its extracted "
        f"{EXTRACTED_DIR_NAME}{os.sep} folder in a folder, and pass that folder "
        f"as fetch_imdb(data_home=...) or set the {DATA_HOME_ENV} environment "
        f"variable to it."
    )


# --------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------


def _download_archive(data_home, verbose):
    """Download ARCHIVE_URL to data_home/aclImdb_v1.tar.gz, checking its sha256."""
    data_home.mkdir(parents=True, exist_ok=True)
    if not _is_writable_dir(data_home):
        # Checked explicitly because root could still write there.
        raise PermissionError(f"data_home {data_home} is not writable")
    target = data_home / OFFICIAL_ARCHIVE_NAME
    progress = _Progress(f"Downloading {OFFICIAL_ARCHIVE_NAME}", verbose)

    def download_and_check(file):
        with urllib.request.urlopen(
            ARCHIVE_URL, timeout=_DOWNLOAD_TIMEOUT_SECONDS
        ) as response:
            total = int(response.headers.get("Content-Length") or 0)
            digest = _copy_hashing(response, file, total, progress)
        if digest != ARCHIVE_SHA256:
            # Raising here makes _atomic_write delete the downloaded file.
            raise OSError(
                f"sha256 mismatch: got {digest}, expected {ARCHIVE_SHA256}; "
                "the downloaded file was deleted"
            )

    _atomic_write(target, download_and_check)
    progress.done()
    return target


def _copy_hashing(response, file, total, progress):
    sha256 = hashlib.sha256()
    copied = 0
    while chunk := response.read(_CHUNK_BYTES):
        file.write(chunk)
        sha256.update(chunk)
        copied += len(chunk)
        if total:
            progress.update(
                copied / total, f"{copied / 1e6:.1f} of {total / 1e6:.1f} MB"
            )
    return sha256.hexdigest()


# --------------------------------------------------------------------------
# Parsing, with the cache in front
# --------------------------------------------------------------------------


def _load_reviews(source, data_home, verbose):
    cache_file = _cache_file(source, _cache_dir(data_home))
    reviews = _read_cache(cache_file)
    if reviews is None:
        if source.kind == "archive":
            reviews = _parse_archive(source.path, verbose)
        else:
            reviews = _parse_directory(source.path, verbose)
        _write_cache(reviews, cache_file)
    return reviews


def _parse_archive(path, verbose):
    progress = _Progress(f"Parsing {path.name}", verbose)
    size = max(path.stat().st_size, 1)
    records = []
    with open(path, "rb") as raw:
        try:
            # gzip.GzipFile rather than tarfile's own "r|gz": it checks the
            # gzip CRC and length, which catches damage inside the data.
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                with tarfile.open(fileobj=unzipped, mode="r|") as tar:
                    for member in tar:
                        key = _review_key(member.name)
                        if key is None or not member.isfile():
                            continue
                        content = tar.extractfile(member).read()
                        records.append(
                            (*key, _checked_utf8(content, path, member.name))
                        )
                        progress.update(raw.tell() / size, f"{len(records):,} reviews")
                # tarfile stops at the end-of-archive marker; read the rest
                # so that GzipFile verifies the trailer (CRC, length).
                while unzipped.read(_CHUNK_BYTES):
                    pass
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise IMDBCorruptDataError(
                f"Cannot read the IMDB archive {path}: {exc}. The file is damaged "
                "or not a .tar.gz archive; replace it (or delete it to download "
                "the official archive again)."
            ) from exc
    progress.done(f"{len(records):,} reviews")
    return _assemble(records, path)


def _review_key(member_name):
    """``(split index, target, id, rating)`` for a review's path, else None."""
    match = _REVIEW_PATH.fullmatch(member_name)
    if match is None:
        return None
    split, label, review_id, rating = match.groups()
    return SPLITS.index(split), LABELS.index(label), int(review_id), int(rating)


def _checked_utf8(content, path, member_name=None):
    # Decoding now, although the bytes are what is stored, makes a bad file
    # fail here, naming it, instead of at some later call.
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"{path}, member {member_name}" if member_name else str(path)
        raise IMDBCorruptDataError(
            f"IMDB review is not valid UTF-8: {where} ({exc})."
        ) from exc
    return content


def _parse_directory(root, verbose):
    files = _review_files(root)
    progress = _Progress(f"Parsing {root}", verbose)
    records = []
    for count, (key, path) in enumerate(files, start=1):
        records.append((*key, _checked_utf8(path.read_bytes(), path)))
        progress.update(count / len(files), f"{count:,} reviews")
    progress.done(f"{len(records):,} reviews")
    return _assemble(records, root)


def _review_files(root):
    """``[(key, path)]`` for every review under an extracted ``aclImdb/`` folder."""
    files = []
    for split_index, split in enumerate(SPLITS):
        for target, label in enumerate(LABELS):
            folder = root / split / label
            if not folder.is_dir():
                raise IMDBCorruptDataError(
                    f"{root} is not an extracted IMDB dataset: "
                    f"folder {folder} is missing."
                )
            with os.scandir(folder) as entries:
                for entry in entries:
                    match = _REVIEW_NAME.fullmatch(entry.name)
                    if match and entry.is_file():
                        key = (split_index, target, int(match[1]), int(match[2]))
                        files.append((key, Path(entry.path)))
    return files


def _assemble(records, source_path):
    """Sort ``(split, target, id, rating, utf8)`` records into a _Reviews."""
    _check_all_classes_present(records, source_path)
    records.sort(key=lambda record: record[:3])
    split, target, review_id, rating, texts = zip(*records, strict=True)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return _Reviews(
        text_utf8=np.frombuffer(b"".join(texts), dtype=np.uint8),
        text_offsets=np.concatenate([[0], np.cumsum(lengths)]),
        split=np.array(split, dtype=np.int8),
        target=np.array(target, dtype=np.int8),
        review_id=np.array(review_id, dtype=np.int64),
        rating=np.array(rating, dtype=np.int8),
    )


def _check_all_classes_present(records, source_path):
    found = {(record[0], record[1]) for record in records}
    missing = [
        f"{EXTRACTED_DIR_NAME}/{split}/{label}/"
        for split_index, split in enumerate(SPLITS)
        for target, label in enumerate(LABELS)
        if (split_index, target) not in found
    ]
    if missing:
        raise IMDBCorruptDataError(
            f"{source_path} is not in the IMDB layout: no review files "
            f"(<id>_<rating>.txt) in {', '.join(missing)}."
        )


# --------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------


def _cache_dir(data_home):
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if _is_writable_dir(data_home):
        return data_home
    return Path(DEFAULT_CACHE_DIR).expanduser()


def _is_writable_dir(path):
    # os.access alone is not enough: root passes it even for a folder whose
    # permission bits say read-only (like a shared data folder), and writing
    # there would surprise its owner.
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    write_bits = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    return stat.S_ISDIR(mode) and bool(mode & write_bits) and os.access(path, os.W_OK)


def _cache_file(source, cache_dir):
    source_path = source.path.resolve()
    state = f"{_CACHE_FORMAT_VERSION}|{source.kind}|{_fingerprint(source)}"
    return (
        cache_dir
        / f"{_CACHE_PREFIX}{_short_hash(str(source_path))}-{_short_hash(state)}.npz"
    )


def _fingerprint(source):
    if source.kind == "archive":
        # Size + mtime rather than a content hash: hashing 84 MB on every
        # call would cost more than the cached load itself.
        info = source.path.stat()
        return f"{info.st_size}:{info.st_mtime_ns}"
    # Every file of the class folders, not only the reviews: filtering costs
    # more than the rare re-parse caused by an unrelated file. Plain strings
    # from os.scandir keep the 50,000 stat calls around 0.2 s.
    digest = hashlib.sha256()
    for split in SPLITS:
        for label in LABELS:
            digest.update(f"{split}/{label}\n".encode())
            digest.update(_folder_listing(source.path / split / label).encode())
    return digest.hexdigest()


def _folder_listing(folder):
    """``name:size:mtime`` of each file in ``folder``, one a line, sorted."""
    try:
        with os.scandir(folder) as entries:
            rows = [
                f"{e.name}:{e.stat().st_size}:{e.stat().st_mtime_ns}" for e in entries
            ]
    except OSError:
        return "<unreadable>"  # a missing folder makes the parse raise anyway
    return "\n".join(sorted(rows))


def _short_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _read_cache(cache_file):
    """The cached reviews, or None if there is no usable cache file."""
    if not cache_file.is_file():
        return None
    try:
        with np.load(cache_file, allow_pickle=False) as arrays:
            reviews = _Reviews(**{name: arrays[name] for name in _Reviews._fields})
        usable = _is_consistent(reviews)
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        usable = False
    # A damaged or foreign file is parsed again and overwritten.
    return reviews if usable else None


def _is_consistent(reviews):
    n_reviews = len(reviews.split)
    offsets = reviews.text_offsets
    return (
        all(len(column) == n_reviews for column in reviews[2:])
        and len(offsets) == n_reviews + 1
        and n_reviews > 0
        and offsets[0] == 0
        and offsets[-1] == len(reviews.text_utf8)
    )


def _write_cache(reviews, cache_file):
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        # Uncompressed (66 MB for the 50,000 reviews): zlib makes it 2.6x
        # smaller but the cached load twice and the write 20x slower.
        _atomic_write(cache_file, lambda file: np.savez(file, **reviews._asdict()))
    except OSError as exc:
        warnings.warn(
            f"Could not write the IMDB cache file {cache_file} ({exc}); the data "
            f"will be parsed again on the next call. Set {CACHE_ENV} to a "
            "writable folder to fix this.",
            RuntimeWarning,
            stacklevel=4,
        )
        return
    _remove_outdated_caches(cache_file)


def _remove_outdated_caches(cache_file):
    """Delete the caches of earlier versions of the same source."""
    source_prefix = cache_file.name.rsplit("-", 1)[0]
    for old in cache_file.parent.glob(f"{source_prefix}-*.npz"):
        if old != cache_file:
            with contextlib.suppress(OSError):
                old.unlink()


def _atomic_write(path, write):
    """Call ``write(file)`` on a temporary file, then rename it to ``path``.

    The temporary file is in the same folder (so the rename is atomic) and is
    deleted if ``write`` raises: ``path`` is either absent or complete.
    """
    fd, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(fd, "wb") as file:
            # mkstemp's 0o600 would hide the file from other users of a
            # shared data_home or cache folder.
            os.fchmod(file.fileno(), 0o644)
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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


# --------------------------------------------------------------------------
# Progress on stderr
# --------------------------------------------------------------------------


class _Progress:
    """Report ``label: 42% (detail)`` on stderr.

    On a terminal the line is rewritten in place at each percent; elsewhere
    (logs, CI) a new line is written every 10 % to keep the output short.
    """

    def __init__(self, label, enabled):
        self.label = label
        self.enabled = enabled
        self._is_terminal = enabled and sys.stderr.isatty()
        self._step = 1 if self._is_terminal else 10
        self._shown = -1
        self._detail = ""

    def update(self, fraction, detail=""):
        if not self.enabled:
            return
        self._detail = detail
        # 100 % is left to done(): a file position may reach the end of the
        # file before the last items are processed (read-ahead buffers).
        percent = min(int(fraction * 100), 99)
        percent -= percent % self._step
        if percent > self._shown:
            self._shown = percent
            self._write(percent)

    def done(self, detail=None):
        if not self.enabled:
            return
        if detail is not None:
            self._detail = detail
        self._write(100)
        if self._is_terminal:
            sys.stderr.write("\n")
            sys.stderr.flush()

    def _write(self, percent):
        detail = f" ({self._detail})" if self._detail else ""
        line = f"{self.label}: {percent:3d}%{detail}"
        sys.stderr.write(f"\r{line}" if self._is_terminal else f"{line}\n")
        sys.stderr.flush()
