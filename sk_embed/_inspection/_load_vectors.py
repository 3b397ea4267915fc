"""Read pretrained word vectors (GloVe, word2vec text) by vocabulary word.

The embedding models of sk_embed take an ``embeddings`` matrix whose row ``i``
is the vector of token id ``i``. :func:`load_word_vectors` builds that matrix
from a pretrained vector file for the ids of a fitted
:class:`~sk_embed.SequenceTokenizer`, streaming the file so that only the
vectors of vocabulary words are ever kept in memory. The files that
:func:`~sk_embed.save_word_vectors` writes read back here.
"""

import codecs
import gzip
import os
from collections.abc import Mapping
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..text._tokenizer import FIRST_WORD_ID, PAD_ID, SequenceTokenizer

_GZIP_MAGIC = b"\x1f\x8b"

# Where a row's vector came from: no vector yet, a case-insensitive match
# (``lowercase=True``), an exact match. An exact match always wins.
_NONE, _FOLDED, _EXACT = 0, 1, 2


class WordVectors:
    """Result of :func:`load_word_vectors`; unpacks as ``(matrix, n_covered)``.

    Attributes
    ----------
    matrix : ndarray of shape (n_rows, dim), dtype float32
        Row ``i`` is the vector of token id ``i``.
    n_covered : int
        Number of vocabulary words whose row holds a vector from the file.
    n_words : int
        Number of vocabulary words that have a row (id below ``n_rows``).
    coverage : float
        ``n_covered / n_words``.
    missing_words : list of str
        The vocabulary words with a row but no vector in the file, by
        increasing id.
    """

    __slots__ = ("matrix", "n_covered", "n_words", "missing_words")

    def __init__(self, matrix, n_covered, n_words, missing_words):
        self.matrix = matrix
        self.n_covered = n_covered
        self.n_words = n_words
        self.missing_words = missing_words

    @property
    def coverage(self):
        return self.n_covered / self.n_words

    def __iter__(self):
        # Tuple unpacking: ``matrix, n_covered = load_word_vectors(...)``.
        return iter((self.matrix, self.n_covered))

    def __repr__(self):
        n_rows, dim = self.matrix.shape
        return (
            f"WordVectors(matrix=<{n_rows}x{dim} float32 array>, "
            f"n_covered={self.n_covered}, n_words={self.n_words}, "
            f"coverage={self.coverage:.1%})"
        )


@validate_params(
    {
        "path": [str, os.PathLike],
        "vocabulary": [Mapping, SequenceTokenizer],
        "n_rows": [Interval(Integral, FIRST_WORD_ID + 1, None, closed="left"), None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "lowercase": ["boolean"],
        "missing": [StrOptions({"random", "zeros"})],
        "random_state": ["random_state"],
        "encoding": [str],
    },
    prefer_skip_nested_validation=True,
)
def load_word_vectors(
    path,
    vocabulary,
    *,
    n_rows=None,
    embedding_dim=None,
    lowercase=False,
    missing="random",
    random_state=None,
    encoding="utf-8",
):
    """Load pretrained word vectors as an embedding matrix indexed by token id.

    Reads a GloVe or word2vec file in text format, plain or gzip-compressed,
    and returns a matrix whose row ``i`` is the vector of the word of id ``i``
    in ``vocabulary``, ready for the ``embeddings`` parameter of
    :class:`~sk_embed.SequenceEmbeddingClassifier`. Row 0 (padding) is zero;
    row 1 (out of vocabulary) and the rows of words the file lacks are
    initialised as ``missing`` says.

    Parameters
    ----------
    path : str or path-like
        The vector file: one word per line followed by its values, separated
        by spaces. A word2vec header line ``<n_words> <dim>`` is detected and
        checked; GloVe files have none. Gzip compression is detected from the
        content, whatever the file name.

    vocabulary : dict of str to int or SequenceTokenizer
        Mapping from word to id, such as the ``vocabulary_`` of a fitted
        :class:`~sk_embed.SequenceTokenizer`, or that fitted tokenizer. Ids
        must be distinct integers from 2: 0 (padding) and 1 (out of
        vocabulary) are reserved.

    n_rows : int, default=None
        Number of rows of the matrix, for example the tokenizer's
        ``num_words``. ``None`` means the largest id plus one. Words whose id
        is ``n_rows`` or more are left out (the classifier maps such ids to
        its out-of-vocabulary row); rows beyond the largest id are initialised
        like missing words.

    embedding_dim : int, default=None
        Expected number of values per word. ``None`` accepts the dimension of
        the file (its header, else its first line).

    lowercase : bool, default=False
        If True, a vocabulary word without an exact match in the file takes
        the vector of the first file word equal to it ignoring case, for
        example "Paris" takes the vector of "paris" in the lowercased GloVe
        files. An exact match always wins, wherever it is in the file.

    missing : {"random", "zeros"}, default="random"
        Initialisation of row 1 (out of vocabulary), of the rows of words
        without a vector in the file and of unused rows. "random" draws each
        value from a normal distribution with the mean and the standard
        deviation of all the values loaded; "zeros" sets them to 0.

    random_state : int, RandomState instance or None, default=None
        Seeds the "random" initialisation; pass an int for reproducible
        output. ``None`` uses a fresh ``RandomState`` seeded by the operating
        system. The global NumPy random state is never used.

    encoding : str, default="utf-8"
        Text encoding of the file. It must encode spaces and newlines as
        ASCII does (UTF-8, Latin-1, ... but not UTF-16).

    Returns
    -------
    result : WordVectors
        Unpacks as ``matrix, n_covered``, and has these attributes:

        matrix : ndarray of shape (n_rows, dim), dtype float32
            Row ``i`` is the vector of the word of id ``i``.
        n_covered : int
            Number of vocabulary words (with a row) found in the file.
        n_words : int
            Number of vocabulary words with a row: ids below ``n_rows``.
        coverage : float
            ``n_covered / n_words``.
        missing_words : list of str
            Vocabulary words with a row but no vector, by increasing id.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist (other ``OSError`` for unreadable files).
    ValueError
        Naming the file and the line number, if a line is not valid text in
        ``encoding``, has no values or a number of values other than the
        dimension (set by ``embedding_dim``, the header or the first line),
        or if the vector of a vocabulary word holds a value that is not a
        finite float32 number. Also if the header is inconsistent with
        ``embedding_dim`` or with the number of vectors, if the file holds
        no vector, if no vocabulary word is found in it, or if the vocabulary
        is empty or has ids below 2 or repeated ids.
    TypeError
        If a vocabulary word is not a str or an id not an integer.

    See Also
    --------
    SequenceTokenizer : Learns the vocabulary the matrix is aligned to.
    SequenceEmbeddingClassifier : Takes the matrix as ``embeddings``.

    Notes
    -----
    The file is read line by line and only the vectors of vocabulary words
    are converted to numbers, so memory is proportional to the vocabulary
    and a 400,000-word GloVe file takes seconds. The number of values of
    every line is checked, by counting its spaces; whether the values are
    numbers is checked only for the lines of vocabulary words.

    Format details:

    - A first line made of exactly two non-negative integers is a word2vec
      header ``<n_words> <dim>``; the file must then hold ``n_words``
      vectors of ``dim`` values. (A GloVe file of dimension 1 whose first
      word is a number and whose first value an integer would be misread.)
    - Blank lines are skipped; a byte-order mark starting the file is
      removed; trailing spaces (as word2vec writes them) are ignored.
    - If a word occurs several times, its first vector wins.
    - A few GloVe 840B words contain spaces (". . ."). A line with more
      values than the dimension is read as such a word when its extra
      leading fields are not numbers (otherwise it is an error); the first
      line of a file without header or ``embedding_dim`` cannot be such a
      line, since it sets the dimension.

    The "random" policy makes rows of words without a pretrained vector look
    like the others to the layers that follow the embedding, a common
    choice when the embedding is trained further. "zeros" suits frozen
    embeddings (``trainable_embeddings=False``), where unknown words then
    carry no signal.

    Examples
    --------
    >>> import os, tempfile
    >>> from sk_embed import SequenceTokenizer
    >>> from sk_embed import load_word_vectors
    >>> tokenizer = SequenceTokenizer().fit(["the cat sat", "the dog"])
    >>> tokenizer.vocabulary_
    {'the': 2, 'cat': 3, 'sat': 4, 'dog': 5}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "glove.txt")
    ...     with open(path, "w", encoding="utf-8") as file:
    ...         _ = file.write("the 0.1 0.2\\ncat 0.3 0.4\\nmat 0.5 0.6\\n"
    ...                        "sat 0.7 0.8\\n")
    ...     matrix, n_covered = load_word_vectors(path, tokenizer,
    ...                                           missing="zeros")
    ...     result = load_word_vectors(path, tokenizer, random_state=0)
    >>> n_covered
    3
    >>> matrix
    array([[0. , 0. ],
           [0. , 0. ],
           [0.1, 0.2],
           [0.3, 0.4],
           [0.7, 0.8],
           [0. , 0. ]], dtype=float32)
    >>> result
    WordVectors(matrix=<6x2 float32 array>, n_covered=3, n_words=4,
                coverage=75.0%)
    >>> result.missing_words
    ['dog']
    """
    word_ids = _check_vocabulary(vocabulary)
    if n_rows is None:
        n_rows = max(word_ids.values()) + 1
    exact = {word: id_ for word, id_ in word_ids.items() if id_ < n_rows}
    if not exact:
        raise ValueError(
            f"No vocabulary word has an id below n_rows={n_rows}; the smallest "
            f"id is {min(word_ids.values())}."
        )
    folded = None
    if lowercase:
        folded = {}
        for word, id_ in exact.items():
            folded.setdefault(word.lower(), []).append(id_)

    matrix, source = _read_vectors(
        path, exact, folded, n_rows, embedding_dim, _check_encoding(encoding)
    )
    covered = np.frombuffer(source, dtype=np.uint8) != _NONE
    n_covered = int(np.count_nonzero(covered))
    if n_covered == 0:
        hint = "" if lowercase else " Try lowercase=True if the file's case differs."
        raise ValueError(
            f"None of the {len(exact)} vocabulary words has a vector in "
            f"{os.fspath(path)!r}.{hint}"
        )

    to_init = ~covered
    to_init[PAD_ID] = False
    if missing == "random" and to_init.any():
        loaded = matrix[covered]
        mean = loaded.mean(dtype=np.float64)
        std = loaded.std(dtype=np.float64)
        # check_random_state(None) is the global RandomState: never use it.
        rng = (
            np.random.RandomState()
            if random_state is None
            else check_random_state(random_state)
        )
        shape = (int(np.count_nonzero(to_init)), matrix.shape[1])
        matrix[to_init] = rng.normal(mean, std, size=shape)

    missing_words = sorted(
        (word for word, id_ in exact.items() if not covered[id_]), key=exact.get
    )
    return WordVectors(matrix, n_covered, len(exact), missing_words)


def _check_vocabulary(vocabulary):
    """Return the word -> id mapping as a dict of str to int, checked."""
    if isinstance(vocabulary, SequenceTokenizer):
        check_is_fitted(vocabulary, "vocabulary_")
        vocabulary = vocabulary.vocabulary_
    if not vocabulary:
        raise ValueError("The vocabulary is empty.")
    word_ids = {}
    for word, id_ in vocabulary.items():
        if not isinstance(word, str):
            raise TypeError(
                f"Vocabulary words must be str, got {type(word).__name__} "
                f"({word!r:.40})."
            )
        if not isinstance(id_, Integral) or isinstance(id_, bool):
            raise TypeError(
                f"Vocabulary ids must be integers, got {type(id_).__name__} "
                f"for {word!r:.40}."
            )
        if id_ < FIRST_WORD_ID:
            raise ValueError(
                f"Vocabulary id {id_} of {word!r:.40} is reserved: 0 is padding "
                "and 1 is out of vocabulary, word ids start at 2."
            )
        word_ids[word] = int(id_)
    if len(set(word_ids.values())) != len(word_ids):
        raise ValueError("Vocabulary ids must be distinct; some words share an id.")
    return word_ids


def _check_encoding(encoding):
    """Return the canonical name of an ASCII-compatible encoding."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"Unknown encoding {encoding!r}.") from None
    if " \n0".encode(name) != b" \n0":
        raise ValueError(
            f"encoding={encoding!r} is not supported: spaces and newlines must "
            "be single ASCII bytes (use UTF-8, Latin-1, ...)."
        )
    return name


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
