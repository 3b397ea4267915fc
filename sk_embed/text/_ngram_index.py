"""A learnt vocabulary of word n-grams as sorted integer keys, for ``transform``.

``SequenceTokenizer.transform`` must look up every n-gram of a few texts in a
vocabulary of hundreds of thousands. Joining each n-gram into a string for
a dict lookup is slow for many texts; grouping the texts' n-grams together
with the whole vocabulary's (what ``fit`` does) costs time in proportion to
the vocabulary on every call, however short the texts. Here the vocabulary
is turned once into one sorted key array per n-gram length, and a text's
n-grams are found in it with a binary search: the cost of a call follows
the texts only.

Keys are built level by level, as ``fit`` builds them: a word is its index
among the vocabulary's words, and the key of an n-gram is ``(index of its
(n - 1)-word prefix among the vocabulary's (n - 1)-word prefixes) *
n_words + index of its last word``. Prefix indices are dense, so keys stay
below ``len(vocabulary) * n_words``, far from int64 overflow.
"""

from itertools import repeat

import numpy as np

from ._ragged_ids import _first_seen_ids, _ngram_starts, _stream_positions

#: Stands for a word, or an n-gram prefix, that the vocabulary lacks.
_ABSENT = -1


class _WordWithSpace(Exception):
    """A text's word holds a space: its n-grams are ambiguous as strings."""


class _WordIndex(dict):
    """Index of each vocabulary word; ``_ABSENT`` for any other word.

    A word unknown to the vocabulary that contains a space could, joined
    with its neighbours, spell a vocabulary token of more words ("a b" +
    "c" is "a" + "b c"); only the string path of ``transform`` handles that,
    so such a word raises :class:`_WordWithSpace`. Only unknown words reach
    ``__missing__``: known ones cost one C lookup.
    """

    def __missing__(self, word):
        if " " in word:
            raise _WordWithSpace(word)
        return _ABSENT


def _vocabulary_words(vocabulary):
    """The words of a vocabulary's tokens, as ``fit`` numbers words.

    Returns the dict numbering the distinct words in first-seen order (a
    ``_first_seen_ids`` dict, which numbers any new word it is asked for),
    the word ids of all tokens end to end, the word count of each token and
    the id of each token.
    """
    tokens = list(vocabulary)
    first_seen = _first_seen_ids()
    # Joined then split at once: one list of words, none per token.
    words = np.fromiter(
        map(first_seen.__getitem__, " ".join(tokens).split(" ")), dtype=np.int64
    )
    lengths = np.fromiter(
        map(str.count, tokens, repeat(" ")), dtype=np.int64, count=len(tokens)
    )
    lengths += 1
    ids = np.fromiter(vocabulary.values(), dtype=np.int32, count=len(tokens))
    return first_seen, words, lengths, ids


class _NgramIndex:
    """Token ids of a vocabulary's n-grams, found by integer keys.

    Parameters
    ----------
    word_ids : dict of str to int
        Numbers the words from 0; it may hold words of no token.

    words, lengths, ids : ndarray
        The word ids of all the vocabulary's tokens end to end, the word
        count of each token and its id.

    oov_id : int
        Id of every n-gram the vocabulary lacks.
    """

    def __init__(self, word_ids, words, lengths, ids, oov_id):
        self.oov_id = oov_id
        self.word_index = _WordIndex(word_ids)
        self.n_words = len(word_ids)
        self._build_levels(words, lengths, ids)

    @classmethod
    def from_vocabulary(cls, vocabulary, oov_id):
        """The index of a fitted ``vocabulary_``, its tokens split into
        words (``fit`` has the words from its counting: 125 ms less on
        Subj's 260,000 n-grams)."""
        return cls(*_vocabulary_words(vocabulary), oov_id)

    def _build_levels(self, words, lengths, ids):
        """Sorted keys and token ids of each n-gram length in the vocabulary.

        ``unigram_ids[w]`` is the id of word ``w`` (one more item, read for
        ``_ABSENT``, holds ``oov_id``); ``levels[n - 2]`` holds the distinct
        keys of the n-word prefixes of the tokens of n words or more, sorted,
        and the id of each prefix that is itself a token.
        """
        starts = np.cumsum(lengths) - lengths
        prefixes = words[starts]
        self.unigram_ids = np.full(self.n_words + 1, self.oov_id, dtype=np.int32)
        self.unigram_ids[prefixes[lengths == 1]] = ids[lengths == 1]
        self.levels = []
        for n in range(2, int(lengths.max(initial=1)) + 1):
            long_enough = np.flatnonzero(lengths >= n)
            last_words = words[starts[long_enough] + n - 1]
            keys = prefixes[long_enough] * self.n_words + last_words
            sorted_keys, prefixes[long_enough] = np.unique(keys, return_inverse=True)
            token_ids = np.full(len(sorted_keys), self.oov_id, dtype=np.int32)
            is_token = lengths[long_enough] == n
            token_ids[prefixes[long_enough[is_token]]] = ids[long_enough[is_token]]
            self.levels.append((sorted_keys, token_ids))

    def ngram_ids(self, words, lengths, min_n, max_n):
        """The token ids of the n-grams of texts, in the tokenizer's order.

        ``words`` holds the word indices (``_ABSENT`` for unknown words) of
        all texts end to end, ``lengths`` the word count of each text. Each
        text lists its n-grams by increasing n, each n in text order.
        Returns the flat int32 ids and the number of n-grams of each text.
        """
        positions, n_per_text = _stream_positions(lengths, min_n, max_n)
        flat = np.empty(n_per_text.sum(), dtype=np.int32)
        prefixes = words  # index of the (n-1)-gram starting at each word
        for n in range(1, max_n + 1):
            starts = _ngram_starts(lengths, n)
            if n == 1:
                token_ids = self.unigram_ids[words]
            else:
                last_words = words[starts + n - 1]
                found, token_ids = self._find(prefixes[starts], last_words, n)
                # Positions that start no n-gram keep stale values, never
                # read: every (n + 1)-gram starts where an n-gram starts.
                prefixes = np.full(len(words), _ABSENT, dtype=np.int64)
                prefixes[starts] = found
            if n >= min_n:
                flat[positions[n - min_n]] = token_ids
        return flat, n_per_text

    def _find(self, prefixes, last_words, n):
        """Prefix index and token id of n-grams; ``_ABSENT`` and OOV if unknown."""
        if n - 2 >= len(self.levels):
            return (
                np.full(len(prefixes), _ABSENT, dtype=np.int64),
                np.full(len(prefixes), self.oov_id, dtype=np.int32),
            )
        sorted_keys, token_ids = self.levels[n - 2]
        keys = prefixes * self.n_words + last_words
        # An unknown prefix or word must match nothing, whatever the product.
        keys[(prefixes == _ABSENT) | (last_words == _ABSENT)] = _ABSENT
        where = np.searchsorted(sorted_keys, keys)
        where[where == len(sorted_keys)] = 0
        found = sorted_keys[where] == keys
        return (
            np.where(found, where, _ABSENT),
            np.where(found, token_ids[where], self.oov_id).astype(np.int32),
        )
