"""A fitted vocabulary as a few NumPy arrays, for saving, and back.

Formats that describe every object they save, such as skops (MLflow's
format for scikit-learn models), write a dict out entry by entry: a
``vocabulary_`` of 259,068 n-grams made a 180 MB skops file of a pipeline
whose pickle took 22 MB. As arrays (the tokens' UTF-8 text end to end, each
token's length and, only where they are not 2, 3, 4, ..., the ids) it takes
about the bytes of its text in every format, and in a pickle less than the
dict did.
"""

import numpy as np

#: The key under which a saved state holds the packed vocabulary.
PACKED_KEY = "_vocabulary_arrays"


def pack_vocabulary(vocabulary, first_id):
    """``vocabulary`` (dict of str to int) as a dict of NumPy arrays.

    Raises TypeError for any other dict, which the caller then saves as is.
    """
    tokens = list(vocabulary)
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    packed = {
        "text": np.frombuffer("".join(tokens).encode("utf-8"), dtype=np.uint8),
        # Lengths in characters (not bytes): the decoded text is cut by
        # them. Most tokens are short, so the smallest dtype saves most.
        "lengths": lengths.astype(np.min_scalar_type(lengths.max(initial=0))),
    }
    if not all(isinstance(id_, (int, np.integer)) for id_ in vocabulary.values()):
        raise TypeError("vocabulary ids must be integers")
    ids = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(tokens))
    if not np.array_equal(ids, np.arange(first_id, first_id + len(ids))):
        packed["ids"] = ids
    return packed


def unpack_vocabulary(packed, first_id):
    """The dict :func:`pack_vocabulary` packed, in the same order."""
    text = packed["text"].tobytes().decode("utf-8")
    ends = np.cumsum(packed["lengths"], dtype=np.int64).tolist()
    starts = [0, *ends[:-1]]
    tokens = [text[start:end] for start, end in zip(starts, ends)]
    if "ids" in packed:
        ids = packed["ids"].tolist()
    else:
        ids = range(first_id, first_id + len(tokens))
    return dict(zip(tokens, ids))
