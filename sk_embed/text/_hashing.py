"""Map raw texts to ragged sequences of hashed token ids, with no vocabulary."""

import functools
import re
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, validate_parameter_constraints

from .._utils._docstrings import fill_doc
from ._analysis import (
    DEFAULT_TOKEN_PATTERN,
    PAD_ID,
    _check_document_collection,
    _check_documents,
    _drop_marked,
    _encode,
    _first_seen_ids,
    _group,
    _ngram_starts,
    _split,
    _stream_positions,
    _TextAnalysisMixin,
)

#: Bucket ``b`` (0 .. n_buckets - 1) is id ``b + FIRST_BUCKET_ID``.
FIRST_BUCKET_ID = PAD_ID + 1
#: Every id fits in the int32 output.
MAX_BUCKETS = np.iinfo(np.int32).max - FIRST_BUCKET_ID
_ID_BITS = 31

# The hash is defined by the integer arithmetic below, not by Python's
# ``hash`` (salted per process) nor by the platform: NumPy's uint64 arithmetic
# wraps modulo 2**64 everywhere, and code points are read as little-endian
# UTF-32 whatever the machine's byte order. Changing a constant changes every
# id, and with it every model trained on them.
_CHARACTER_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd: powers never vanish
_NGRAM_MULTIPLIER = np.uint64(0xC2B2AE3D27D4EB4F)
_MIX_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))
_MIX_MULTIPLIERS = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_HIGH_HALF = np.uint64(32)

# Texts are tokenized and hashed in blocks of about this many characters (a
# few hundred reviews): the NumPy arrays of a block stay in the CPU caches and
# memory stays bounded whatever the number of texts.
_BLOCK_CHARACTERS = 1 << 19

_PLANE_SIZE = 1 << 16
_APOSTROPHE = ord("'")


def _mix(keys):
    """Scramble uint64 ``keys`` in place (SplitMix64's finalizer) and return them.

    Every input bit then changes about half of the output bits, so that any
    range of output bits is as good as any other for picking a bucket.
    """
    keys ^= keys >> _MIX_SHIFTS[0]
    keys *= _MIX_MULTIPLIERS[0]
    keys ^= keys >> _MIX_SHIFTS[1]
    keys *= _MIX_MULTIPLIERS[1]
    keys ^= keys >> _MIX_SHIFTS[2]
    return keys


def _positions_in_tokens(token_starts, lengths, n_characters):
    """The position of each character in its token, tokens end to end.

    A running sum of ones that drops back at each token start: many times
    faster than ``arange - repeat(token_starts, lengths)`` for short tokens.
    """
    nonempty = lengths > 0
    position = np.ones(n_characters, dtype=np.int64)
    position[token_starts[nonempty][1:]] = 1 - lengths[nonempty][:-1]
    position[:1] = 0
    return np.cumsum(position, out=position)


def _hash_code_points(code_points, lengths):
    """Hash tokens given as their code points end to end and their lengths.

    A token's key is the polynomial ``sum((c_k + 1) * M**k)`` of its code
    points ``c_k`` (``+ 1``, so that a NUL code point still counts) modulo
    2**64, then mixed. Returns one uint64 key per token.
    """
    values = code_points.astype(np.uint64)
    values += np.uint64(1)
    token_starts = np.cumsum(lengths) - lengths
    longest = int(lengths.max()) if len(lengths) else 0
    powers = np.ones(max(longest, 1), dtype=np.uint64)
    np.cumprod(np.full(len(powers) - 1, _CHARACTER_MULTIPLIER), out=powers[1:])
    values *= powers[_positions_in_tokens(token_starts, lengths, len(values))]
    # Differences of running sums: they wrap like the sums themselves, and
    # unlike np.add.reduceat they are right for empty tokens.
    running = np.zeros(len(values) + 1, dtype=np.uint64)
    np.cumsum(values, out=running[1:])
    return _mix(running[token_starts + lengths] - running[token_starts])


def _hash_strings(strings):
    """The uint64 keys of ``strings``, as :func:`_hash_code_points` gives them."""
    code_points = np.frombuffer(
        "".join(strings).encode("utf-32-le", "surrogatepass"), dtype="<u4"
    )
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    return _hash_code_points(code_points, lengths)


@functools.cache
def _word_characters(n_planes):
    """Which code points of the first ``n_planes`` Unicode planes ``\\w`` matches.

    Asked of Python's own ``re``, so that the table agrees with the regular
    expression whatever the Unicode version. Built once per process, for the
    planes the texts reach: most texts need only the first (65,536 code
    points, built in a few hundredths of a second).
    """
    characters = "".join(map(chr, range(n_planes * _PLANE_SIZE)))
    is_word = np.zeros(len(characters), dtype=bool)
    for match in re.finditer(r"\w+", characters):
        is_word[match.start() : match.end()] = True
    return is_word


def _is_word_character(code_points):
    """Whether ``\\w`` matches each code point."""
    n_planes = int(code_points.max()) // _PLANE_SIZE + 1 if len(code_points) else 1
    return _word_characters(n_planes)[code_points]


def _default_pattern_word_keys(texts):
    """Find and hash the tokens of ``DEFAULT_TOKEN_PATTERN`` without ``re``.

    The pattern ``\\w+(?:'\\w+)*`` matches the maximal runs of characters
    that are word characters or apostrophes between two word characters;
    finding them with array operations on all the code points of the texts
    at once avoids creating a Python string per token. Returns the uint64
    key of every token, texts end to end, and the number of tokens per text.
    """
    try:
        # "\n" is no word character: no token spans two texts.
        joined = "\n".join(texts)
    except TypeError as error:
        raise TypeError(f"preprocessor must return a str: {error}") from None
    code_points = np.frombuffer(
        joined.encode("utf-32-le", "surrogatepass"), dtype="<u4"
    )
    # Framed by False, so that every token has a start and an end edge.
    framed = np.zeros(len(code_points) + 2, dtype=bool)
    in_token = framed[1:-1]
    in_token[:] = _is_word_character(code_points)
    inner_apostrophe = code_points[1:-1] == _APOSTROPHE
    inner_apostrophe &= in_token[:-2]
    inner_apostrophe &= in_token[2:]
    in_token[1:-1] |= inner_apostrophe
    edges = np.flatnonzero(framed[1:] != framed[:-1])
    token_starts = edges[::2]
    keys = _hash_code_points(code_points[in_token], edges[1::2] - token_starts)
    text_lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_starts = np.cumsum(text_lengths + 1) - (text_lengths + 1)
    first_tokens = np.searchsorted(token_starts, text_starts)
    return keys, np.diff(first_tokens, append=len(token_starts))


def _ngram_keys(word_keys, lengths, min_n, max_n):
    """The keys of the n-grams of each text, in output order, and their number.

    The key of an n-gram mixes the key of its first n - 1 words with the key
    of its last word, so n-grams are never joined into strings. Each text
    lists its n-grams by increasing n, each n in text order.
    """
    if max_n == 1:
        return word_keys, lengths
    positions, n_per_text = _stream_positions(lengths, min_n, max_n)
    keys = np.empty(n_per_text.sum(), dtype=np.uint64)
    starting_here = word_keys  # key of the n-gram that starts at each word
    for n in range(1, max_n + 1):
        if n > 1:
            # Also computed across the end of a text, and then never read.
            starting_here = starting_here[:-1] * _NGRAM_MULTIPLIER
            starting_here += word_keys[n - 1 :]
            _mix(starting_here)
        if n >= min_n:
            keys[positions[n - min_n]] = starting_here[_ngram_starts(lengths, n)]
    return keys, n_per_text


def _bucket_ids(keys, n_buckets):
    """Map uint64 keys to ids ``FIRST_BUCKET_ID .. n_buckets``, as int32.

    ``(high 32 bits of the key * n_buckets) >> 32`` spreads the keys evenly
    over the buckets, like a modulo but with a multiplication (faster), and
    the product stays below 2**63 since ``n_buckets < 2**31``.
    """
    high = keys >> _HIGH_HALF
    high *= np.uint64(n_buckets)
    high >>= _HIGH_HALF
    ids = high.astype(np.int32)
    ids += FIRST_BUCKET_ID
    return ids


def _first_occurrences(ids, lengths):
    """Keep each id once per text, where it first occurs.

    Occurrences are grouped by their key ``(text, id)``. The keys come in
    text order, which a merge sort exploits: it sorts each text's keys, then
    merges runs already in order, twice as fast as a quicksort here.
    """
    keys = np.repeat(np.arange(len(lengths)), lengths) << _ID_BITS
    keys |= ids
    _, order, starts_run = _group(keys, kind="stable")
    repeated = np.ones(len(ids), dtype=bool)
    repeated[order[starts_run]] = False
    return _drop_marked(ids, lengths, repeated)


def _blocks(documents, n_characters):
    """Consecutive slices of ``documents`` of about ``n_characters`` each."""
    start, size = 0, 0
    for stop, document in enumerate(documents, 1):
        size += len(document)
        if size >= n_characters:
            yield documents[start:stop]
            start, size = stop, 0
    if start < len(documents):
        yield documents[start:]


@fill_doc
class HashingSequenceTokenizer(_TextAnalysisMixin, TransformerMixin, BaseEstimator):
    """Map raw texts to ragged sequences of hashed token ids, with no vocabulary.

    The :class:`~sklearn.feature_extraction.text.HashingVectorizer` of
    :class:`SequenceTokenizer`: each token (and each word n-gram, see
    ``ngram_range``) gets the id of a hash bucket instead of a rank in a
    learnt vocabulary. Nothing is learnt, so ``fit`` only checks the
    parameters and ``transform`` works without it; a token gets the same id
    in any process, on any machine, in any batch of texts and in any order.
    Texts can thus be tokenized in chunks, in parallel or as a stream, for
    models trained with ``partial_fit``.

    Ids lie in ``1 .. n_buckets``; ``0`` stays padding and is never
    produced. No id is reserved for unknown tokens, since every token has a
    bucket: an embedding model fed these ids needs ``vocab_size`` rows
    (``n_buckets + 1``). Distinct tokens may share a bucket (a collision),
    and then share an embedding; see the Notes for sizing ``n_buckets``.

    Parameters
    ----------
    n_buckets : int, default=2**20
        Number of hash buckets, hence of distinct token ids: ids lie in
        ``1 .. n_buckets``. For words, take several times the number of
        distinct words you expect; with n-grams, as many as the embedding
        table (a row per bucket) can afford: the Notes and the user guide
        give the collisions measured on IMDB. At most ``2**31 - 2``, so that
        ids fit in int32.

    %(text_parameters)s

    ngram_range : tuple of (int, int), default=(1, 1)
        Lower and upper bound of the word n-grams used as tokens. With
        ``(1, 2)``, the bigrams of a text ("good movie") are appended after
        all its unigrams, in text order, as :class:`SequenceTokenizer` does.
        An n-gram is hashed from the hashes of its words, never joined into
        a string.

    binary : bool, default=False
        Keep each id at most once per text, at its first occurrence: repeated
        words and n-grams are dropped, and so is a token whose bucket an
        earlier token of the text already took. For order-free models
        (average pooling over word and n-gram embeddings); keep ``False`` for
        models that read word order.

    Attributes
    ----------
    vocab_size : int
        ``n_buckets + 1``: the number of ids, padding included, hence the
        ``vocab_size`` of a :class:`SequenceEmbeddingClassifier` or
        :class:`SequenceEmbeddingRegressor` fed by this tokenizer. A
        property of the parameters, so it is known before any text is seen.

    See Also
    --------
    SequenceTokenizer : Ids from a vocabulary learnt by ``fit``, ranked by
        frequency, with no collisions.
    sklearn.feature_extraction.text.HashingVectorizer : Hashed bag-of-words
        counts, with no word order.

    Notes
    -----
    Of ``n`` distinct tokens hashed into ``n_buckets`` buckets, a fraction of
    about ``1 - exp(-n / n_buckets)`` shares its bucket with another one: 9%
    for 100,000 words in ``2**20`` buckets. A shared bucket merges the
    embeddings of its tokens, which costs accuracy when they are frequent
    enough to pull the embedding different ways; most collisions are
    between rare tokens. Doubling ``n_buckets`` about halves the collisions
    and doubles the embedding table (``n_buckets + 1`` rows of
    ``embedding_dim`` float32 values, and as many again per optimizer slot:
    Adam keeps two). On IMDB, :func:`make_text_classifier`'s model fed
    hashed word, bigram and trigram ids scores 0.8980, 0.9070 and 0.9109
    test accuracy with ``2**18``, ``2**20`` and ``2**22`` buckets, against
    0.9121 with its 600,000-id vocabulary.

    A token's id depends on its characters only, through a 64-bit hash
    defined by integer arithmetic (the code points of the token, a
    polynomial and a SplitMix64 mixing step), not on Python's salted
    ``hash``: it is the same whatever ``PYTHONHASHSEED``, platform or byte
    order. The hash is not cryptographic: texts can be crafted to collide.

    With the default ``token_pattern``, tokens are found by array operations
    on the code points of many texts at once, giving the same tokens as the
    regular expression without a Python string per token: this makes
    ``transform`` faster than :class:`SequenceTokenizer`'s. Any other pattern
    goes through ``re``.

    The output is ragged, not a table: like scikit-learn's text vectorizers,
    the tokenizer ignores ``set_config(transform_output=...)`` and has no
    ``set_output``; the padded matrix of :class:`PadTransformer` follows it.

    Examples
    --------
    >>> from sk_embed import HashingSequenceTokenizer
    >>> tokenizer = HashingSequenceTokenizer(n_buckets=1000)
    >>> tokenizer.vocab_size
    1001
    >>> tokenizer.transform(["A great movie!<br />Great acting.", "Boring."])
    [array([950, 446, 131, 446, 649], dtype=int32), array([410], dtype=int32)]

    No ``fit`` is needed, and a token has the same id in any batch of texts:

    >>> tokenizer.transform(["Great."])
    [array([446], dtype=int32)]
    """

    _parameter_constraints: dict = {
        **_TextAnalysisMixin._text_parameter_constraints,
        "n_buckets": [Interval(Integral, 1, MAX_BUCKETS, closed="both")],
    }

    def __init__(
        self,
        *,
        n_buckets=2**20,
        lowercase=True,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        preprocessor=None,
        ngram_range=(1, 1),
        binary=False,
    ):
        self.n_buckets = n_buckets
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.preprocessor = preprocessor
        self.ngram_range = ngram_range
        self.binary = binary

    @property
    def vocab_size(self):
        """Number of ids, padding included: ``n_buckets + 1``."""
        return self.n_buckets + FIRST_BUCKET_ID

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters; there is nothing to learn.

        ``X`` is not read, so a stream of texts (a generator) is left for
        :meth:`transform`.

        Parameters
        ----------
        X : iterable of str
            Texts: a list, tuple, 1-D array, pandas Series or any iterable.

        y : None
            Ignored.

        Returns
        -------
        self : HashingSequenceTokenizer
            The tokenizer, unchanged.
        """
        _check_document_collection(X)
        self._check_parameters()
        return self

    def transform(self, X):
        """Replace each token by the id of its hash bucket.

        Parameters
        ----------
        X : iterable of str
            Texts: a list, tuple, 1-D array, pandas Series or any iterable.

        Returns
        -------
        sequences : list of ndarray of shape (n_tokens,), dtype=int32
            One id sequence per text, ids in ``1 .. n_buckets``.
        """
        min_n, max_n = self._check_parameters()
        documents = _check_documents(X)
        if not documents:
            return []
        word_keys_of = self._build_word_hasher()
        flat, lengths = [], []
        for block in _blocks(documents, _BLOCK_CHARACTERS):
            keys, n_per_text = _ngram_keys(*word_keys_of(block), min_n, max_n)
            ids = _bucket_ids(keys, self.n_buckets)
            if self.binary:
                ids, n_per_text = _first_occurrences(ids, n_per_text)
            flat.append(ids)
            lengths.append(n_per_text)
        return _split(np.concatenate(flat), np.concatenate(lengths))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False  # stateless, like HashingVectorizer
        return tags

    def _check_parameters(self):
        """Check the parameters as ``fit`` does; return the n-gram range.

        ``transform`` needs no ``fit``, so it checks them itself, without
        ``get_params`` (whose signature inspection costs more than the
        tokenization of a short text).
        """
        params = {name: getattr(self, name) for name in self._parameter_constraints}
        validate_parameter_constraints(
            self._parameter_constraints, params, caller_name=type(self).__name__
        )
        self._compile_token_pattern()
        return self._check_ngram_range()

    def _build_word_hasher(self):
        """Return a function mapping texts to their word keys and word counts."""
        preprocess = self._build_preprocessor()
        if self.token_pattern == DEFAULT_TOKEN_PATTERN:

            def word_keys(texts):
                return _default_pattern_word_keys(list(map(preprocess, texts)))

            return word_keys
        find_words = self._build_word_analyzer()

        def word_keys(texts):
            # Each distinct word of the block is hashed once.
            first_seen = _first_seen_ids()
            words, lengths = _encode(
                texts, find_words, lambda tokens: map(first_seen.__getitem__, tokens)
            )
            return _hash_strings(list(first_seen))[words], lengths

        return word_keys
