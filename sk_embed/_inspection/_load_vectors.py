"""Read pretrained word vectors (GloVe, word2vec text) by vocabulary word.

The embedding models of sk_embed take an ``embeddings`` matrix whose row ``i``
is the vector of token id ``i``. :func:`load_word_vectors` builds that matrix
from a pretrained vector file for the ids of a fitted
:class:`~sk_embed.SequenceTokenizer`, streaming the file so that only the
vectors of vocabulary words are ever kept in memory. The files that
:func:`~sk_embed.save_word_vectors` writes read back here.
"""

import codecs
import os
from collections.abc import Mapping
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..text._tokenizer import FIRST_WORD_ID, PAD_ID, SequenceTokenizer
from ._vector_files import _NONE, _read_vectors


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
