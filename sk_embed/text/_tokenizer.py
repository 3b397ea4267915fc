"""Turn raw texts into ragged sequences of word ids for embedding models."""

from functools import partial
from itertools import repeat
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._utils._docstrings import fill_doc
from .._utils._persistence import VersionedPickleMixin
from ._analysis import DEFAULT_TOKEN_PATTERN, _check_documents, _TextAnalysisMixin
from ._ngram_index import _NgramIndex, _WordWithSpace
from ._ngram_keys import _group_ngrams, _ngram_columns, _ngram_strings, _ngram_words
from ._ragged_ids import (
    PAD_ID,
    _drop_marked,
    _encode,
    _first_occurrences,
    _first_seen_ids,
    _split,
    _stream_positions,
)
from ._vocabulary_state import PACKED_KEY, pack_vocabulary, unpack_vocabulary

OOV_ID = 1
FIRST_WORD_ID = 2
OOV_TOKEN = "<OOV>"


def _repeated_oov(flat, lengths):
    """Mark each out-of-vocabulary id that follows another in its document.

    With ``binary=True`` the tokens of a document are already distinct, but
    distinct unknown tokens all become ``OOV_ID``: only the first is kept.
    """
    marked = flat == OOV_ID
    oov_positions = np.flatnonzero(marked)
    if len(oov_positions) == 0:
        return marked
    # One search per document, not per id: its first OOV id, if any.
    ends = np.cumsum(lengths)
    first = np.searchsorted(oov_positions, ends - lengths)
    found = first < len(oov_positions)
    first_positions = oov_positions[first[found]]
    marked[first_positions[first_positions < ends[found]]] = False
    return marked


def _most_frequent(counts, n_kept, first_seen_at):
    """Indices of the ``n_kept`` largest ``counts``, largest first.

    Of equal counts, the index with the smaller ``first_seen_at`` comes
    first. Only the counts at least as large as the ``n_kept``-th largest
    are sorted: most n-grams occur once and fall below it.
    """
    # The n_kept-th largest count, from the histogram of the counts: they
    # are small integers, and np.partition slows down on that many ties.
    at_least = np.cumsum(np.bincount(counts)[::-1])[::-1]
    threshold = np.flatnonzero(at_least >= n_kept)[-1]
    candidates = np.flatnonzero(counts >= threshold)
    order = np.lexsort((first_seen_at[candidates], -counts[candidates]))
    return candidates[order[:n_kept]]


@fill_doc
class SequenceTokenizer(
    _TextAnalysisMixin, TransformerMixin, VersionedPickleMixin, BaseEstimator
):
    """Map raw texts to ragged sequences of word ids ranked by frequency.

    ``fit`` learns a vocabulary from the training texts and gives the most
    frequent word the smallest id. ``transform`` replaces every token of a
    text by its id, keeping the order and the number of tokens, so that the
    result can be padded and fed to a Keras ``Embedding`` layer.

    Ids 0 and 1 are reserved: 0 is padding and is never produced by
    ``transform``; 1 stands for every out-of-vocabulary token (a word unseen
    during ``fit``, or dropped by ``num_words`` or ``min_count``), so a
    sequence keeps its length and its word positions. Real tokens get ids
    2, 3, ... in order of decreasing count.

    Parameters
    ----------
    num_words : int, default=None
        Size of the id range: every id produced is ``< num_words``, reserved
        ids included, as in Keras' ``Tokenizer`` and ``imdb.load_data``. Hence
        at most ``num_words - 2`` tokens are kept, the most frequent ones.
        ``None`` keeps every token. Must be at least 3.

    %(text_parameters)s

    ngram_range : tuple of (int, int), default=(1, 1)
        Lower and upper bound of the word n-grams used as tokens, or of the
        character n-grams with ``analyzer="char"`` or ``"char_wb"``. With
        ``(1, 2)``, the bigrams of a text ("good movie") are appended after
        all its unigrams, in text order, the order CountVectorizer uses. They
        count in the frequency ranking and in ``num_words`` like any token.

    min_count : int, default=1
        Tokens seen fewer than ``min_count`` times in the training texts are
        out of vocabulary.

    binary : bool, default=False
        Keep each id at most once per text, at its first occurrence: repeated
        words and n-grams, and every out-of-vocabulary token but the first,
        are dropped; CountVectorizer's ``binary=True`` for sequences. The
        frequency ranking, ``num_words`` and ``min_count`` then count texts
        containing a token, not its occurrences. Meant for order-free models
        (average pooling over word and n-gram embeddings), where a word
        repeated ten times would otherwise weigh ten times as much; on IMDB
        it lifts such a model from about 0.905 to 0.91 test accuracy. Keep
        ``False`` for models that read word order.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Mapping from each kept token to its id, from 2 up to
        ``len(vocabulary_) + 1``, in increasing id order.

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : Bag-of-words counts with
        the same text handling, but no word order.

    Notes
    -----
    Ties in the frequency ranking are broken by first occurrence in the
    training texts: of two tokens with equal counts, the one seen first gets
    the smaller id (Keras' ``Tokenizer`` does the same). The vocabulary thus
    depends on the order of the training texts only through ties.

    ``transform`` returns a list of 1-D ``numpy.int32`` arrays, one per text,
    of varying lengths; an empty text gives an empty array. An ``Embedding``
    layer fed these ids needs ``input_dim = len(vocabulary_) + 2``.

    The output is ragged, not a table: like scikit-learn's text vectorizers,
    the tokenizer ignores ``set_config(transform_output=...)`` and has no
    ``set_output``; the padded matrix of :class:`PadTransformer` follows it.

    Each text is tokenized once and its words get integer ids. N-grams are
    not joined into strings to be counted: an n-gram is an integer key made
    of the id of its first n - 1 words and the id of its last word, equal
    keys are grouped by one sort per n, and only the n-grams kept in the
    vocabulary are joined. Tokens are counted with ``numpy.bincount`` and all
    documents are renumbered with one lookup-table indexing, which makes
    ``fit_transform`` faster than CountVectorizer's. (If a word contains a
    space, possible with a custom ``token_pattern`` or ``preprocessor``, the
    n-grams are joined into strings instead, more slowly.)

    ``transform`` finds n-grams by the same kind of integer key in sorted
    arrays made from ``vocabulary_`` on its first call and kept (not
    pickled: rebuilt on the first call after loading, in about a third of
    a second for 600,000 n-grams). Pickles, skops files and joblib dumps
    hold ``vocabulary_`` as a few arrays (the tokens' text end to end and
    their lengths), not as a dict, so that they take about the size of its
    text in every format. A call then costs in proportion to its
    texts: about 0.1 ms for a sentence, whatever the vocabulary's size.

    Examples
    --------
    >>> from sk_embed import SequenceTokenizer
    >>> reviews = ["A great movie!<br /><br />Great acting.",
    ...            "Not a great movie.", "Boring."]
    >>> tokenizer = SequenceTokenizer(num_words=5).fit(reviews)
    >>> tokenizer.vocabulary_
    {'great': 2, 'a': 3, 'movie': 4}
    >>> sequences = tokenizer.transform(["A great, GREAT film."])
    >>> sequences
    [array([3, 2, 2, 1], dtype=int32)]
    >>> tokenizer.inverse_transform(sequences)
    [['a', 'great', 'great', '<OOV>']]
    """

    _parameter_constraints: dict = {
        **_TextAnalysisMixin._text_parameter_constraints,
        "num_words": [Interval(Integral, 3, None, closed="left"), None],
        "min_count": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        num_words=None,
        lowercase=True,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        preprocessor=None,
        tokenizer=None,
        analyzer="word",
        ngram_range=(1, 1),
        min_count=1,
        binary=False,
    ):
        self.num_words = num_words
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_count = min_count
        self.binary = binary

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary of the training texts.

        Parameters
        ----------
        X : iterable of str
            Training texts: a list, tuple, 1-D array or pandas Series.

        y : None
            Ignored.

        Returns
        -------
        self : SequenceTokenizer
            The fitted tokenizer.
        """
        self._fit_encode(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn the vocabulary and return the id sequences of the texts.

        Equivalent to ``fit(X).transform(X)``, but tokenizes each text once.

        Parameters
        ----------
        X : iterable of str
            Training texts: a list, tuple, 1-D array or pandas Series.

        y : None
            Ignored.

        Returns
        -------
        sequences : list of ndarray of shape (n_tokens,), dtype=int32
            One id sequence per text.
        """
        return self._fit_encode(X)

    def transform(self, X):
        """Replace each token by its id; unknown tokens become 1.

        Parameters
        ----------
        X : iterable of str
            Texts: a list, tuple, 1-D array or pandas Series.

        Returns
        -------
        sequences : list of ndarray of shape (n_tokens,), dtype=int32
            One id sequence per text, as long as its list of tokens.
        """
        check_is_fitted(self)
        documents = _check_documents(X)
        min_n, max_n = self._check_ngram_range()
        if max_n > 1 and self._reads_words():
            sequences = self._transform_ngrams(documents, min_n, max_n)
            if sequences is not None:
                return sequences
        lookup = self.vocabulary_.get

        def ids_of(tokens):
            return map(lookup, tokens, repeat(OOV_ID))

        flat, lengths = _encode(documents, self._build_analyzer(), ids_of)
        return self._sequences(flat, lengths)

    def inverse_transform(self, X):
        """Map id sequences back to lists of tokens.

        Padding ids (0) are dropped wherever they are; id 1 becomes the
        out-of-vocabulary marker ``"<OOV>"``.

        Parameters
        ----------
        X : iterable of 1-D array-like of int
            Id sequences, ragged (as from ``transform``) or padded to a 2-D
            array.

        Returns
        -------
        tokens : list of list of str
            The tokens of each sequence.
        """
        check_is_fitted(self)
        if isinstance(X, (str, bytes)):
            raise ValueError("Expected an iterable of id sequences, got a string.")
        token_of_id = self._token_of_id()
        return [
            token_of_id[self._check_ids(ids, index, len(token_of_id))].tolist()
            for index, ids in enumerate(X)
        ]

    def _fit_encode(self, raw_documents):
        """Learn ``vocabulary_`` and return the id sequences of the texts."""
        self._warn_unused_parameters()
        analyze = self._build_analyzer()
        documents = _check_documents(raw_documents)
        if not documents:
            raise ValueError("Cannot fit on an empty collection of documents.")

        min_n, max_n = self._check_ngram_range()
        if max_n > 1 and self._reads_words():
            sequences = self._fit_encode_ngrams(documents, min_n, max_n)
            if sequences is not None:
                return sequences

        first_seen = _first_seen_ids()  # provisional ids in first-seen order
        flat, lengths = _encode(
            documents, analyze, lambda tokens: map(first_seen.__getitem__, tokens)
        )
        if not first_seen:
            raise self._empty_vocabulary_error()

        counts = np.bincount(flat, minlength=len(first_seen))
        # Provisional ids number the tokens in first-seen order: the
        # documented tie-break.
        kept = _most_frequent(counts, self._n_kept(counts), np.arange(len(counts)))

        renumber = np.full(len(first_seen), OOV_ID, dtype=np.int32)
        renumber[kept] = np.arange(FIRST_WORD_ID, FIRST_WORD_ID + len(kept))
        tokens = list(first_seen)
        self.vocabulary_ = dict(
            zip(map(tokens.__getitem__, kept.tolist()), renumber[kept].tolist())
        )
        return self._sequences(renumber[flat], lengths)

    def _fit_encode_ngrams(self, documents, min_n, max_n):
        """``_fit_encode`` for ``max_n > 1``, with n-grams as integer keys.

        Returns None, having learnt nothing, if a word contains a space: its
        n-grams could then equal other tokens ("a b" + "c" is "a" + "b c"),
        which only the string path handles. The caller then tokenizes again;
        only a custom ``token_pattern`` or ``preprocessor`` can cause this.
        """
        first_seen = _first_seen_ids()
        words, lengths = _encode(
            documents,
            self._build_word_analyzer(),
            lambda tokens: map(first_seen.__getitem__, tokens),
        )
        word_list = list(first_seen)
        if any(" " in word for word in word_list):
            return None

        # Provisional ids: the n-grams of min_n in group-id order, then those
        # of min_n + 1...; flat holds them in output order.
        positions, n_per_text = _stream_positions(lengths, min_n, max_n)
        flat = np.empty(n_per_text.sum(), dtype=np.int64)
        repeated = np.zeros(len(flat), dtype=bool)
        groups, first_positions, n_ngrams = [], [], 0
        for group, position in zip(
            _group_ngrams(words, lengths, len(word_list), min_n, max_n, self.binary),
            positions,
        ):
            flat[position] = group.ids + n_ngrams
            if self.binary:
                repeated[position[group.repeated]] = True
            first_positions.append(position[group.first])
            groups.append(group)
            n_ngrams += group.n_distinct
        if n_ngrams == 0:
            raise self._empty_vocabulary_error()

        counted = flat[~repeated] if self.binary else flat
        counts = np.bincount(counted, minlength=n_ngrams)
        # Ties go to the n-gram whose first occurrence comes first in the output.
        first_seen_at = np.concatenate(first_positions)
        kept = _most_frequent(counts, self._n_kept(counts), first_seen_at)

        new_ids = np.arange(FIRST_WORD_ID, FIRST_WORD_ID + len(kept), dtype=np.int32)
        renumber = np.full(n_ngrams, OOV_ID, dtype=np.int32)
        renumber[kept] = new_ids
        columns = list(_ngram_columns(kept, groups, words))
        tokens = _ngram_strings(columns, len(kept), word_list)
        self.vocabulary_ = dict(zip(tokens, new_ids.tolist()))
        # transform's index, from the words counted here, built when first
        # needed (see _ngram_index).
        self._ngram_index_cache = (
            self.vocabulary_,
            partial(
                _NgramIndex, first_seen, *_ngram_words(columns, len(kept)),
                new_ids, OOV_ID,
            ),
        )  # fmt: skip
        return self._sequences(renumber[flat], n_per_text, repeated)

    def _transform_ngrams(self, documents, min_n, max_n):
        """``transform`` for ``max_n > 1``, with n-grams as integer keys.

        The n-grams are looked up in the vocabulary's :class:`_NgramIndex`,
        built on the first call and kept: the cost of a call then follows
        the texts, not the vocabulary. Returns None if a word of the texts
        contains a space (see ``_fit_encode_ngrams``).
        """
        index = self._ngram_index()
        try:
            words, lengths = _encode(
                documents,
                self._build_word_analyzer(),
                lambda tokens: map(index.word_index.__getitem__, tokens),
            )
        except _WordWithSpace:
            return None
        flat, n_per_text = index.ngram_ids(
            words.astype(np.int64), lengths, min_n, max_n
        )
        if self.binary:
            # Each token has an id of its own and every unknown n-gram is
            # OOV_ID, of which binary keeps the first: keeping each id's
            # first occurrence keeps each n-gram's and the first unknown one.
            flat, n_per_text = _first_occurrences(flat, n_per_text)
        return _split(flat, n_per_text)

    def _ngram_index(self):
        """The :class:`_NgramIndex` of ``vocabulary_``, built once and kept.

        Built on first use, from the words ``fit`` counted or else from the
        vocabulary's strings. Kept beside the very dict it was built from,
        so that a new fit (or a ``vocabulary_`` set by hand) gets a new one
        (a dict changed in place would not be noticed); left out of pickles
        (see ``__getstate__``) and rebuilt on first use.
        """
        cached = self.__dict__.get("_ngram_index_cache")
        if cached is None or cached[0] is not self.vocabulary_:
            cached = (
                self.vocabulary_,
                partial(_NgramIndex.from_vocabulary, self.vocabulary_, OOV_ID),
            )
        if not isinstance(cached[1], _NgramIndex):
            cached = (cached[0], cached[1]())
            self._ngram_index_cache = cached
        return cached[1]

    def __getstate__(self):
        # The index is derived from vocabulary_: pickling it would add to
        # the size what rebuilding it on first use costs once.
        state = super().__getstate__()
        state.pop("_ngram_index_cache", None)
        vocabulary = state.get("vocabulary_")
        if isinstance(vocabulary, dict):
            try:
                packed = pack_vocabulary(vocabulary, FIRST_WORD_ID)
            except (TypeError, ValueError):
                # A vocabulary set by hand that is not str -> int: as is.
                return state
            state = {**state, PACKED_KEY: packed}
            del state["vocabulary_"]
        return state

    def __setstate__(self, state):
        if PACKED_KEY in state:
            state = dict(state)
            packed = state.pop(PACKED_KEY)
            state["vocabulary_"] = unpack_vocabulary(packed, FIRST_WORD_ID)
        super().__setstate__(state)

    def _empty_vocabulary_error(self):
        return ValueError(
            "Empty vocabulary: no document contains a token matching "
            f"token_pattern={self.token_pattern!r}."
        )

    def _sequences(self, flat, lengths, repeated=None):
        """Cut the flat ids into one sequence per document.

        With ``binary=True``, the ids marked in ``repeated`` (tokens seen
        earlier in their document) and all but the first out-of-vocabulary
        id of each document are dropped first, in one pass.
        """
        if self.binary:
            marked = _repeated_oov(flat, lengths)
            if repeated is not None:
                marked |= repeated
            flat, lengths = _drop_marked(flat, lengths, marked)
        return _split(flat, lengths)

    def _n_kept(self, counts):
        """Number of top-ranked tokens that get their own id."""
        n_kept = int(np.count_nonzero(counts >= self.min_count))
        if n_kept == 0:
            raise ValueError(
                f"No token is seen at least min_count={self.min_count} times; "
                "lower min_count."
            )
        if self.num_words is not None:
            n_kept = min(n_kept, self.num_words - FIRST_WORD_ID)
        return n_kept


    def _token_of_id(self):
        """Array whose item ``i`` is the token of id ``i``."""
        token_of_id = np.empty(len(self.vocabulary_) + FIRST_WORD_ID, dtype=object)
        token_of_id[PAD_ID] = ""
        token_of_id[OOV_ID] = OOV_TOKEN
        token_of_id[list(self.vocabulary_.values())] = list(self.vocabulary_)
        return token_of_id

    @staticmethod
    def _check_ids(ids, index, n_ids):
        """Return the non-padding ids of one sequence, checked to be valid."""
        ids = np.asarray(ids)
        if ids.size == 0:
            return ids.astype(np.intp).ravel()
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(
                f"Sequence at position {index} must be 1-D integer ids, got "
                f"dtype {ids.dtype} and shape {ids.shape}."
            )
        if ids.min() < 0 or ids.max() >= n_ids:
            raise ValueError(
                f"Sequence at position {index} has ids outside [0, {n_ids - 1}]."
            )
        return ids[ids != PAD_ID]
