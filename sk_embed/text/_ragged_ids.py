"""Ragged token ids held flat: one id array for all texts, and their lengths.

The tokenizers do not keep a Python list per text while they work: the ids of
all texts go end to end in one NumPy array, beside the number of ids of each
text, and are cut into one array per text at the end. Here are the
operations on that layout: encoding texts into it, the positions of each
text's n-grams in it, grouping equal keys with one sort, and dropping
repeated ids.
"""

from array import array
from collections import defaultdict

import numpy as np

#: The id that pads sequences to a common length; never a token's.
PAD_ID = 0


def _encode(documents, analyze, ids_of):
    """Tokenize each document once and concatenate the ids of all of them.

    Returns the flat int32 id array and the number of tokens per document.
    ``array`` buffers grow in C without one Python int object per token.
    """
    ids = array("i")
    lengths = array("q")
    for document in documents:
        tokens = analyze(document)
        lengths.append(len(tokens))
        ids.extend(ids_of(tokens))
    flat = np.frombuffer(ids, dtype=np.intc).astype(np.int32)
    return flat, np.frombuffer(lengths, dtype=np.int64)


def _split(flat, lengths):
    """Cut ``flat`` into one array per document (slicing beats np.split)."""
    bounds = [0, *np.cumsum(lengths).tolist()]
    return [flat[start:stop] for start, stop in zip(bounds, bounds[1:])]


def _first_seen_ids():
    """A dict handing out ids 0, 1, 2... to new keys in first-seen order.

    A defaultdict whose factory is its own length does it with one C call
    per key.
    """
    first_seen = defaultdict()
    first_seen.default_factory = first_seen.__len__
    return first_seen


def _ngram_counts(lengths, n):
    """Number of n-grams of each text."""
    return np.maximum(lengths - (n - 1), 0)


def _ngram_starts(lengths, n):
    """Index in the flat word array of the first word of each n-gram."""
    # Every word starts an n-gram but the last n - 1 of each text: a mask
    # the size of the words, cleared at those few places.
    starts_ngram = np.ones(int(np.sum(lengths)), dtype=bool)
    ends = np.cumsum(lengths)
    for from_end in range(1, n):
        starts_ngram[ends[lengths >= from_end] - from_end] = False
    return np.flatnonzero(starts_ngram)


def _stream_positions(lengths, min_n, max_n):
    """Where each n-gram goes in the output, and the output length of each text.

    A text's output lists its n-grams by increasing n, each n in text order.
    Returns one position array per n from ``min_n`` to ``max_n``, aligned
    with ``_ngram_starts(lengths, n)``, and the number of n-grams per text.
    """
    counts = [_ngram_counts(lengths, n) for n in range(min_n, max_n + 1)]
    n_per_text = sum(counts)
    starts = np.cumsum(n_per_text) - n_per_text
    positions = []
    for count in counts:
        in_class = np.cumsum(count) - count
        positions.append(np.repeat(starts - in_class, count) + np.arange(count.sum()))
        starts = starts + count  # the next n comes after these
    return positions, n_per_text


def _stable_sort(keys, kind="quicksort"):
    """Return the stable argsort of non-negative int64 ``keys`` and the sorted keys.

    When a key and its position fit together in 63 bits, sorting the values
    ``key << shift | position`` gives both at once, about twice as fast as
    ``argsort``: the positions make the values distinct, hence the order stable.
    ``kind`` is NumPy's algorithm for that sort: "stable", a merge sort, is
    the faster when the keys come in long runs already in order.
    """
    shift = max(len(keys) - 1, 1).bit_length()
    if len(keys) and int(keys.max()) >> (63 - shift) == 0:
        # In place where possible: fresh large arrays cost page faults.
        packed = keys << shift
        order = np.arange(len(keys))
        packed |= order
        packed.sort(kind=kind)
        np.bitwise_and(packed, (1 << shift) - 1, out=order)
        packed >>= shift
        return order, packed
    order = np.argsort(keys, kind="stable")
    return order, keys[order]


def _group(keys, kind="quicksort"):
    """Number equal keys alike with one stable sort.

    Returns the dense id of each key, the sorting permutation and, in sorted
    order, whether each key differs from the previous one. The sort is stable
    so that each run of equal keys lists their occurrences in input order.
    ``kind`` is passed to :func:`_stable_sort`.
    """
    order, sorted_keys = _stable_sort(keys, kind)
    starts_run = np.empty(len(keys), dtype=bool)
    starts_run[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts_run[1:])
    # The sorted keys are spent: their buffer takes the ids.
    sorted_ids = np.cumsum(starts_run, out=sorted_keys)
    sorted_ids -= 1
    ids = np.empty(len(keys), dtype=np.int64)
    ids[order] = sorted_ids
    return ids, order, starts_run


def _text_of_each(lengths):
    """The index of the text of each item of texts ``lengths`` long.

    ``int32``, half the memory of NumPy's default integers, when the
    number of texts allows.
    """
    dtype = np.int32 if len(lengths) < 2**31 else np.int64
    return np.repeat(np.arange(len(lengths), dtype=dtype), lengths)


def _repeated_in_text(order, starts_run, text_of):
    """Mark the occurrences whose key already occurred earlier in their text.

    Within a run of equal keys the occurrences are in input order, hence
    grouped by text: all but the first of a text are repeats.
    """
    texts = text_of[order]
    repeated_sorted = np.zeros(len(order), dtype=bool)
    repeated_sorted[1:] = ~starts_run[1:] & (texts[1:] == texts[:-1])
    repeated = np.zeros(len(order), dtype=bool)
    repeated[order[repeated_sorted]] = True
    return repeated


def _drop_marked(flat, lengths, marked):
    """Remove the marked items of ``flat``; return it and the new lengths."""
    # Marked items per text, summed over each non-empty text's slice: no
    # array as long as ``flat`` beyond the kept mask (fresh memory is
    # costly), and empty texts, which reduceat would get wrong, skipped.
    starts = np.cumsum(lengths) - lengths
    non_empty = lengths > 0
    n_marked = np.zeros(len(lengths), dtype=np.int64)
    if non_empty.any():
        n_marked[non_empty] = np.add.reduceat(marked, starts[non_empty], dtype=np.int64)
    return flat[~marked], lengths - n_marked


def _first_occurrences(ids, lengths):
    """Keep each id once per text, where it first occurs.

    Occurrences are grouped by their key ``(text, id)``, the id of
    non-negative int32 ``ids`` in the low 31 bits. The keys come in text
    order, which a merge sort exploits: it sorts each text's keys, then
    merges runs already in order, twice as fast as a quicksort here.
    """
    keys = np.repeat(np.arange(len(lengths)), lengths) << 31
    keys |= ids
    _, order, starts_run = _group(keys, kind="stable")
    repeated = np.ones(len(ids), dtype=bool)
    repeated[order[starts_run]] = False
    return _drop_marked(ids, lengths, repeated)
