"""A fitted vocabulary is saved as arrays and comes back the same dict."""

import pickle

import numpy as np
import pytest

from sk_embed import InconsistentVersionWarning, SequenceTokenizer
from sk_embed.text._vocabulary_state import (
    PACKED_KEY,
    pack_vocabulary,
    unpack_vocabulary,
)

TEXTS = [
    "A great movie, great acting.",
    "Ein großartiger Film: Übermut",
    "这部电影很好看 非常精彩",
    "😀 emoji 𠀋 plane two",
    "Not a great movie.",
]


@pytest.mark.parametrize(
    "vocabulary",
    [
        {},
        {"a": 2, "b c": 3, "ü": 4, "这部": 5, "😀": 6},
        {"x" * 300: 2, "y": 3},  # a token longer than 255 characters
        {"late": 7, "early": 3, "middle": 5},  # ids set by hand, any order
    ],
)
def test_pack_and_unpack_give_the_same_dict_in_the_same_order(vocabulary):
    packed = pack_vocabulary(vocabulary, first_id=2)
    assert all(isinstance(array, np.ndarray) for array in packed.values())
    back = unpack_vocabulary(packed, first_id=2)
    assert back == vocabulary
    assert list(back.items()) == list(vocabulary.items())


def test_dense_ids_are_not_stored():
    packed = pack_vocabulary({"a": 2, "b": 3}, first_id=2)
    assert "ids" not in packed
    assert packed["lengths"].dtype == np.uint8


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 3)])
def test_a_pickled_tokenizer_holds_arrays_and_transforms_the_same(ngram_range):
    tokenizer = SequenceTokenizer(ngram_range=ngram_range).fit(TEXTS)
    state = tokenizer.__getstate__()
    assert "vocabulary_" not in state and PACKED_KEY in state
    loaded = pickle.loads(pickle.dumps(tokenizer))
    assert list(loaded.vocabulary_.items()) == list(tokenizer.vocabulary_.items())
    for got, expected in zip(loaded.transform(TEXTS), tokenizer.transform(TEXTS)):
        np.testing.assert_array_equal(got, expected)
    # Pickling leaves the tokenizer itself alone.
    assert isinstance(tokenizer.vocabulary_, dict) and PACKED_KEY not in vars(tokenizer)


def test_a_pickle_holding_the_dict_still_loads():
    # As pickles made before the vocabulary was packed hold it.
    tokenizer = SequenceTokenizer().fit(TEXTS)
    old_state = {**vars(tokenizer), "_sklearn_version": "1.9.1"}
    loaded = SequenceTokenizer.__new__(SequenceTokenizer)
    with pytest.warns(InconsistentVersionWarning, match="unknown sk_embed version"):
        loaded.__setstate__(old_state)
    assert loaded.vocabulary_ == tokenizer.vocabulary_


@pytest.mark.parametrize("vocabulary", [{("a", "tuple"): 2}, {"a": 2.5}])
def test_a_vocabulary_set_by_hand_that_is_not_str_to_int_is_pickled_as_is(
    vocabulary,
):
    tokenizer = SequenceTokenizer().fit(TEXTS)
    tokenizer.vocabulary_ = vocabulary
    loaded = pickle.loads(pickle.dumps(tokenizer))
    assert loaded.vocabulary_ == vocabulary
    assert type(next(iter(loaded.vocabulary_.values()))) is type(
        next(iter(vocabulary.values()))
    )
