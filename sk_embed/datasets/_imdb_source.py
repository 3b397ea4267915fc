"""Finding the IMDB data in ``data_home``, or downloading it there.

``data_home`` is the ``data_home`` argument, else the ``SK_EMBED_DATA``
environment variable, else ``~/sk_embed_data``. The sources looked for in it,
first match wins, are the labeled archive, the official archive and the
extracted ``aclImdb/`` folder. When none is there, the official archive is
downloaded from :data:`ARCHIVE_URL`, checked against :data:`ARCHIVE_SHA256` and
written under its final name only once complete.

Both constants are read from this module at call time, so patching them here
(as the tests do, to serve a local file) redirects the download.
"""

import hashlib
import http.client
import os
import urllib.request
from pathlib import Path
from typing import NamedTuple

from ._base import _CHUNK_BYTES, _Progress, _atomic_write, _is_writable_dir

#: Where the official archive is downloaded from.
ARCHIVE_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
#: sha256 of the official archive; a download that does not match is deleted.
ARCHIVE_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"

OFFICIAL_ARCHIVE_NAME = "aclImdb_v1.tar.gz"
LABELED_ARCHIVE_NAME = "aclImdb_labeled.tar.gz"
EXTRACTED_DIR_NAME = "aclImdb"

DATA_HOME_ENV = "SK_EMBED_DATA"
DEFAULT_DATA_HOME = "~/sk_embed_data"

_DOWNLOAD_TIMEOUT_SECONDS = 60


class IMDBDataNotFoundError(FileNotFoundError):
    """The IMDB data is neither in ``data_home`` nor could it be downloaded."""


class _Source(NamedTuple):
    path: Path
    kind: str  # "archive" or "directory"


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
