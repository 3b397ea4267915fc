"""Parsing word-vector text files (GloVe, word2vec text, gzipped or not).

Streams the file line by line and keeps only the vectors of the words asked
for, so a file of millions of words never sits in memory. Every error names
the file and the line.
"""

import gzip
import os

import numpy as np

_GZIP_MAGIC = b"\x1f\x8b"

# Where a row's vector came from: no vector yet, a case-insensitive match
# (``lowercase=True``), an exact match. An exact match always wins.
_NONE, _FOLDED, _EXACT = 0, 1, 2


def _open_binary(path):
    """Open ``path`` for reading bytes, decompressing gzip content."""
    file = open(path, "rb")
    try:
        magic = file.read(len(_GZIP_MAGIC))
        file.seek(0)
    except BaseException:
        file.close()
        raise
    if magic == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=file, mode="rb"), file
    return file, file


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_vectors(path, exact, folded, n_rows, embedding_dim, encoding):
    """Stream the file; return the matrix and the source of each row.

    Only rows of words found are filled; the others are zero. ``source`` is a
    bytearray holding ``_NONE``, ``_FOLDED`` or ``_EXACT`` per row.
    """
    name = os.fspath(path)

    def error(lineno, message):
        return ValueError(f"{name!r}, line {lineno}: {message}")

    def lines(stream):
        """Yield (line number, decoded line without trailing whitespace)."""
        for lineno, raw in enumerate(stream, start=1):
            try:
                line = raw.decode(encoding).rstrip()
            except UnicodeDecodeError as exc:
                raise error(
                    lineno,
                    f"not valid {encoding} text ({exc.reason} at byte "
                    f"{exc.start} of the line).",
                ) from None
            if line:
                yield lineno, line

    stream, raw_file = _open_binary(path)
    with raw_file, stream, np.errstate(over="raise", invalid="raise"):
        numbered = lines(stream)
        first = next(numbered, None)
        if first is None:
            raise ValueError(f"{name!r} is empty: it holds no word vectors.")
        lineno, line = first
        line = line.lstrip("\ufeff")
        header = line.split()
        n_announced = None
        if len(header) == 2 and all(f.isascii() and f.isdigit() for f in header):
            n_announced, dim = int(header[0]), int(header[1])
            if dim == 0:
                raise error(lineno, "the header announces vectors of dimension 0.")
            if embedding_dim is not None and dim != embedding_dim:
                raise error(
                    lineno,
                    f"the header announces vectors of dimension {dim}, but "
                    f"embedding_dim={embedding_dim}.",
                )
            header_lineno = lineno
            dim_source = f"the header on line {lineno}"
            rest = numbered
        else:
            if embedding_dim is None:
                word, _, values = line.partition(" ")
                dim = len(values.split())
                dim_source = f"line {lineno}"
                if dim == 0:
                    raise error(lineno, f"the word {word!r:.60} has no values.")
            else:
                dim = embedding_dim
                dim_source = f"embedding_dim={embedding_dim}"
            rest = _chain_one((lineno, line), numbered)

        matrix = np.zeros((n_rows, dim), dtype=np.float32)
        source = bytearray(n_rows)
        n_vectors = 0
        spaces = dim - 1
        get_exact = exact.get
        get_folded = folded.get if folded is not None else None

        for lineno, line in rest:
            word, _, values = line.partition(" ")
            fields = None
            # Fast column count: single spaces between values (checked
            # exactly by splitting when it does not match).
            if not values or values.count(" ") != spaces:
                fields = values.split()
                if len(fields) != dim:
                    word, fields = _long_line(word, fields, dim)
                    if fields is None:
                        raise error(
                            lineno,
                            f"expected {dim} values (the dimension set by "
                            f"{dim_source}) after the word {word!r:.60}, got "
                            f"{len(values.split())}.",
                        )
            n_vectors += 1

            row = get_exact(word)
            if row is not None and source[row] == _EXACT:
                row = None  # A duplicate: the first vector wins.
            if get_folded is None:
                if row is None:
                    continue
                rows = (row,)
            else:
                rows = [row] if row is not None else []
                for other in get_folded(word.lower(), ()):
                    if source[other] == _NONE and other != row:
                        rows.append(other)
                if not rows:
                    continue

            if fields is None:
                fields = values.split()
            if len(fields) != dim:
                raise error(
                    lineno,
                    f"expected {dim} values (the dimension set by {dim_source}) "
                    f"after the word {word!r:.60}, got {len(fields)}.",
                )
            vector = _parse_vector(fields, word, lineno, error)
            for other in rows:
                matrix[other] = vector
                source[other] = _EXACT if other == row else _FOLDED

    if n_vectors == 0:
        raise ValueError(f"{name!r} holds no word vectors, only a header.")
    if n_announced is not None and n_vectors != n_announced:
        raise ValueError(
            f"{name!r}, line {header_lineno}: the header announces "
            f"{n_announced} vectors, but the file holds {n_vectors}."
        )
    return matrix, source


def _chain_one(item, iterator):
    yield item
    yield from iterator


def _long_line(word, fields, dim):
    """Read a line with too many fields as a word containing spaces.

    Return ``(word, values)``, or ``(word, None)`` if the line is malformed:
    fewer fields than ``dim``, or extra leading fields that are numbers.
    """
    n_extra = len(fields) - dim
    if n_extra <= 0 or any(map(_is_number, fields[:n_extra])):
        return word, None
    return " ".join([word, *fields[:n_extra]]), fields[n_extra:]


def _parse_vector(fields, word, lineno, error):
    """Convert the value fields of one line to a finite float32 vector."""
    try:
        vector = np.array(fields, dtype=np.float32)
    except ValueError:
        bad = next((field for field in fields if not _is_number(field)), None)
        if bad is None:  # pragma: no cover - numpy and float() disagree
            raise error(lineno, f"the values of {word!r:.60} are not numbers.")
        raise error(
            lineno, f"value {bad!r:.40} of the word {word!r:.60} is not a number."
        ) from None
    except FloatingPointError:
        raise error(
            lineno, f"a value of the word {word!r:.60} overflows float32."
        ) from None
    if not np.isfinite(vector).all():
        raise error(
            lineno, f"the word {word!r:.60} has a non-finite value (nan or inf)."
        )
    return vector
