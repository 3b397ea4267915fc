"""Map raw texts to ragged sequences of hashed token ids, with no vocabulary."""

import functools
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, validate_parameter_constraints

from .._utils._docstrings import fill_doc
from .._utils._persistence import VersionedPickleMixin
from ._analysis import (
    DEFAULT_TOKEN_PATTERN,
    _check_document_collection,
    _check_documents,
    _TextAnalysisMixin,
)
from ._hashes import (
    FIRST_BUCKET_ID,
    MAX_BUCKETS,
    _bucket_ids,
    _default_pattern_word_keys,
    _hash_strings,
    _ngram_keys,
)
from ._ragged_ids import _encode, _first_occurrences, _first_seen_ids, _split


# Texts are tokenized and hashed in blocks of about this many characters (a
# few hundred reviews): the NumPy arrays of a block stay in the CPU caches and
# memory stays bounded whatever the number of texts.
_BLOCK_CHARACTERS = 1 << 19


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


def _string_keys(texts, analyze):
    """The keys of the tokens ``analyze`` finds in ``texts``, texts end to
    end, and the number of tokens of each text; each distinct token of the
    block is hashed once."""
    first_seen = _first_seen_ids()
    tokens, lengths = _encode(
        texts, analyze, lambda found: map(first_seen.__getitem__, found)
    )
    return _hash_strings(list(first_seen))[tokens], lengths


@fill_doc
class HashingSequenceTokenizer(
    _TextAnalysisMixin, TransformerMixin, VersionedPickleMixin, BaseEstimator
):
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
        Lower and upper bound of the word n-grams used as tokens, or of the
        character n-grams with ``analyzer="char"`` or ``"char_wb"``. With
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
        tokenizer=None,
        analyzer="word",
        ngram_range=(1, 1),
        binary=False,
    ):
        self.n_buckets = n_buckets
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.analyzer = analyzer
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
        self._warn_unused_parameters()
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
        keys_of = self._build_hasher(min_n, max_n)
        flat, lengths = [], []
        for block in _blocks(documents, _BLOCK_CHARACTERS):
            keys, n_per_text = keys_of(block)
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

    def _build_hasher(self, min_n, max_n):
        """Return a function mapping texts to the keys of their tokens, texts
        end to end, and the number of tokens of each text.

        Word n-grams are keyed from their words' keys, never joined into
        strings; the tokens of the other analyzers are hashed as strings.
        """
        if not self._reads_words():
            # Repeats kept: with binary, transform drops repeated ids.
            analyze = self._build_token_analyzer()
            return functools.partial(_string_keys, analyze=analyze)
        preprocess = self._build_preprocessor()
        if self.token_pattern == DEFAULT_TOKEN_PATTERN and self.tokenizer is None:

            def word_keys(texts):
                return _default_pattern_word_keys(list(map(preprocess, texts)))

        else:
            word_keys = functools.partial(
                _string_keys, analyze=self._build_word_analyzer()
            )

        def keys(texts):
            return _ngram_keys(*word_keys(texts), min_n, max_n)

        return keys
