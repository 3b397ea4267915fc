"""Parsing an IMDB archive or extracted folder into review records.

Only the files ``aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt`` are
reviews. Archives are streamed with :mod:`tarfile`; nothing is extracted. Each
review must be UTF-8 and each split and class must hold at least one review,
else :class:`IMDBCorruptDataError` names the faulty file. The result is a
:class:`_Reviews` in canonical order, which is also what the cache stores.
"""

import gzip
import os
import re
import tarfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._base import _CHUNK_BYTES, _Progress
from ._imdb_source import EXTRACTED_DIR_NAME

SPLITS = ("train", "test")
LABELS = ("neg", "pos")  # index in this tuple == target value

# Only these files are reviews; everything else in the archive (README,
# train/unsup/, *.feat, urls_*.txt, .DS_Store...) is ignored.
_REVIEW_NAME = re.compile(r"(\d{1,18})_(\d{1,2})\.txt")
_REVIEW_PATH = re.compile(
    r"(?:\./)?aclImdb/(train|test)/(neg|pos)/" + _REVIEW_NAME.pattern
)


class IMDBCorruptDataError(ValueError):
    """An IMDB archive or folder exists but cannot be read as the dataset."""


class _Reviews(NamedTuple):
    """All labeled reviews, in canonical order; also the cache file's arrays."""

    text_utf8: np.ndarray  # uint8: the UTF-8 of every review, back to back
    text_offsets: np.ndarray  # int64, n + 1: review i is text_utf8[o[i]:o[i + 1]]
    split: np.ndarray  # int8: index into SPLITS
    target: np.ndarray  # int8: index into LABELS
    review_id: np.ndarray  # int64: the <id> of the file name
    rating: np.ndarray  # int8: the <rating> of the file name


def _parse(source, verbose):
    """Parse a source (an archive or an extracted folder) into a _Reviews."""
    if source.kind == "archive":
        return _parse_archive(source.path, verbose)
    return _parse_directory(source.path, verbose)


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
