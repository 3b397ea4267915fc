"""Caching the parsed IMDB reviews, one ``.npz`` file per source.

A cache file is named after a hash of its source's path and a hash of the
source's state (size and modification time of an archive; names, sizes and
modification times of a folder's files), so any change to the source misses
the cache; once the new file is written, the outdated one is deleted. Where the
cache lives is described in :func:`fetch_imdb`'s Notes.
"""

import contextlib
import hashlib
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ._base import _atomic_write, _is_writable_dir
from ._imdb_parse import LABELS, SPLITS, _Reviews

CACHE_ENV = "SK_EMBED_CACHE"
DEFAULT_CACHE_DIR = "~/.cache/sk_embed"

# Bump when the layout of the cache file changes, so old caches are ignored.
_CACHE_FORMAT_VERSION = 1
_CACHE_PREFIX = "imdb-"


def _cache_dir(data_home):
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if _is_writable_dir(data_home):
        return data_home
    return Path(DEFAULT_CACHE_DIR).expanduser()


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
            # Points at the caller of fetch_imdb, through _load_reviews.
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
