"""The hash of words and n-grams into bucket ids, the same in every process.

Plain uint64 arithmetic over the texts' code points, in NumPy, block by
block: no Python ``hash`` (salted per process), no per-token Python string
for the default token pattern.
"""

import functools
import re

import numpy as np

from ._analysis import is_unspaced
from ._ragged_ids import PAD_ID, _ngram_starts, _stream_positions

#: Bucket ``b`` (0 .. n_buckets - 1) is id ``b + FIRST_BUCKET_ID``.
FIRST_BUCKET_ID = PAD_ID + 1
#: Every id fits in the int32 output.
MAX_BUCKETS = np.iinfo(np.int32).max - FIRST_BUCKET_ID

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
    return _word_characters(_n_planes(code_points))[code_points]


@functools.cache
def _unspaced_characters(n_planes):
    """Which code points of the first ``n_planes`` Unicode planes belong to
    a script written without spaces: a table, so that the texts' code
    points are looked up once rather than compared with every range."""
    return is_unspaced(np.arange(n_planes * _PLANE_SIZE))


def _is_unspaced_character(code_points):
    """Whether each code point belongs to a script written without spaces."""
    return _unspaced_characters(_n_planes(code_points))[code_points]


def _n_planes(code_points):
    """How many Unicode planes the code points reach."""
    return int(code_points.max()) // _PLANE_SIZE + 1 if len(code_points) else 1


def _default_pattern_word_keys(texts):
    """Find and hash the tokens of ``DEFAULT_TOKEN_PATTERN`` without ``re``.

    The pattern matches each word character of a script written without
    spaces alone, and the maximal runs of other word characters and of
    apostrophes between two of them; finding them with array operations on
    all the code points of the texts at once avoids creating a Python
    string per token. Returns the uint64 key of every token, texts end to
    end, and the number of tokens per text.
    """
    try:
        # "\n" is no word character: no token spans two texts.
        joined = "\n".join(texts)
    except TypeError as error:
        raise TypeError(f"preprocessor must return a str: {error}") from None
    code_points = np.frombuffer(
        joined.encode("utf-32-le", "surrogatepass"), dtype="<u4"
    )
    # Framed by False, so that every token has a start and an end.
    framed = np.zeros(len(code_points) + 2, dtype=bool)
    in_token = framed[1:-1]
    in_token[:] = _is_word_character(code_points)
    alone = np.zeros(len(framed), dtype=bool)  # a letter that is a token
    alone[1:-1] = in_token & _is_unspaced_character(code_points)
    spaced = in_token & ~alone[1:-1]
    inner_apostrophe = code_points[1:-1] == _APOSTROPHE
    inner_apostrophe &= spaced[:-2]
    inner_apostrophe &= spaced[2:]
    in_token[1:-1] |= inner_apostrophe
    # Between two characters, a token ends and another starts if either is
    # no part of a token or is a letter alone.
    apart = ~framed[:-1] | ~framed[1:] | alone[:-1] | alone[1:]
    token_starts = np.flatnonzero(in_token & apart[:-1])
    token_ends = np.flatnonzero(in_token & apart[1:])
    keys = _hash_code_points(code_points[in_token], token_ends + 1 - token_starts)
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
