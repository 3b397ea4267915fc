"""N-grams as integer keys: the vocabulary tokenizer's fast n-gram counting.

Joining every n-gram of every text into a string, hashing it and counting it
in a dict is what made n-grams slow. Here words get integer ids once, an
n-gram is an int64 key built from the id of its first n - 1 words and the id
of its last word, equal n-grams are grouped by one sort per n, and strings
are only built for the n-grams that make it into the vocabulary.
"""

from typing import NamedTuple

import numpy as np

from ._ragged_ids import (
    _group,
    _ngram_counts,
    _ngram_starts,
    _repeated_in_text,
    _text_of_each,
)


class _NgramGroups(NamedTuple):
    """The n-grams of all texts for one ``n``, grouped by equality.

    Occurrences are in text order, text by text (CountVectorizer's order for
    one ``n``). ``ids`` numbers the distinct n-grams 0 .. ``n_distinct - 1``
    in increasing key order; ``first`` is the index of the first occurrence of
    each id; ``repeated`` (only if requested, else None) marks occurrences of
    an n-gram already seen earlier in the same text.
    """

    n: int
    starts: np.ndarray
    ids: np.ndarray
    n_distinct: int
    first: np.ndarray
    repeated: np.ndarray


def _group_ngrams(words, lengths, n_words, min_n, max_n, binary):
    """Yield the :class:`_NgramGroups` of each n from ``min_n`` to ``max_n``.

    ``words`` holds the word ids (0 .. ``n_words - 1``) of all texts end to
    end, ``lengths`` the number of words of each text. The key of an n-gram
    is ``id of its (n - 1)-gram prefix * n_words + id of its last word``:
    equal n-grams get equal keys and, since prefix ids are dense, keys stay
    below ``len(words) * n_words`` (no int64 overflow for any real corpus).
    """
    prefix_ids = words.astype(np.int64)  # id of the (n-1)-gram at each word
    for n in range(1, max_n + 1):
        if n == 1 and min_n > 1:
            continue  # word ids are already dense prefix ids
        starts = _ngram_starts(lengths, n)
        keys = prefix_ids
        if n > 1:
            keys = prefix_ids[starts] * n_words + words[starts + (n - 1)]
        ids, order, starts_run = _group(keys)
        if n < max_n:
            # Positions that start no n-gram keep stale values, never read:
            # every (n + 1)-gram starts where an n-gram starts.
            prefix_ids = np.empty(len(words), dtype=np.int64)
            prefix_ids[starts] = ids
        if n < min_n:
            continue
        repeated = None
        if binary:
            text_of = _text_of_each(_ngram_counts(lengths, n))
            repeated = _repeated_in_text(order, starts_run, text_of)
        # Ids follow the sorted keys, so the first of each run is that id's.
        first = order[starts_run]
        yield _NgramGroups(n, starts, ids, len(first), first, repeated)


def _ngram_columns(provisional_ids, groups, words):
    """The words of some n-grams, read at their first occurrence.

    A provisional id numbers the n-grams of ``groups[0]``, then those of
    ``groups[1]``..., each in the order of their group ids. Yields, for each
    group, the positions in ``provisional_ids`` of its n-grams and one array
    of word ids per word position.
    """
    offset = 0
    for group in groups:
        where = np.flatnonzero(
            (provisional_ids >= offset) & (provisional_ids < offset + group.n_distinct)
        )
        starts = group.starts[group.first[provisional_ids[where] - offset]]
        yield where, [words[starts + k] for k in range(group.n)]
        offset += group.n_distinct


def _ngram_strings(columns, n_tokens, word_list):
    """The tokens of ``n_tokens`` n-grams from their ``_ngram_columns``."""
    tokens = np.empty(n_tokens, dtype=object)
    word_array = np.array(word_list, dtype=object)
    for where, word_ids in columns:
        # One list per word position, zipped: no list per n-gram for the
        # garbage collector to trace.
        strings = [word_array[ids].tolist() for ids in word_ids]
        tokens[where] = list(map(" ".join, zip(*strings)))
    return tokens.tolist()


def _ngram_words(columns, n_tokens):
    """The word ids of ``n_tokens`` n-grams from their ``_ngram_columns``,
    end to end, and the word count of each."""
    lengths = np.zeros(n_tokens, dtype=np.int64)
    for where, word_ids in columns:
        lengths[where] = len(word_ids)
    offsets = np.cumsum(lengths) - lengths
    flat = np.empty(lengths.sum(), dtype=np.int64)
    for where, word_ids in columns:
        for k, ids in enumerate(word_ids):
            flat[offsets[where] + k] = ids
    return flat, lengths
