"""SequenceTokenizer.transform of n-grams through the vocabulary's key index.

Until issue 29, ``transform`` grouped the texts' n-grams together with the
whole vocabulary's on every call (hundreds of milliseconds for one sentence
with IMDB's 600,000 n-grams). The index must give the same ids, bit for bit:
``transform_as_before`` below is that algorithm, kept as the reference.
"""

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from sk_embed import SequenceTokenizer
from sk_embed.text._ragged_ids import _encode, _ngram_counts, _stream_positions
from sk_embed.text._ngram_index import _NgramIndex, _vocabulary_words
from sk_embed.text._ngram_keys import _group_ngrams
from sk_embed.text._tokenizer import OOV_ID


def transform_as_before(tokenizer, documents):
    """``transform`` of n-grams as of commit c4589e7: the vocabulary's
    tokens, split into words, go first as extra texts and are grouped with
    the texts' n-grams, so that a token gets the group id of equal n-grams."""
    min_n, max_n = tokenizer.ngram_range
    # The vocabulary's words, numbered as before (shared with the index).
    first_seen, entry_words, entry_lengths, entry_ids = _vocabulary_words(
        tokenizer.vocabulary_
    )
    words, lengths = _encode(
        documents,
        tokenizer._build_word_analyzer(),
        lambda tokens: map(first_seen.__getitem__, tokens),
    )
    positions, n_per_text = _stream_positions(lengths, min_n, max_n)
    flat = np.empty(n_per_text.sum(), dtype=np.int32)
    repeated = np.zeros(len(flat), dtype=bool)
    all_groups = _group_ngrams(
        np.concatenate([entry_words, words]),
        np.concatenate([entry_lengths, lengths]),
        len(first_seen),
        min_n,
        max_n,
        tokenizer.binary,
    )
    for group, position in zip(all_groups, positions):
        in_entries = _ngram_counts(entry_lengths, group.n)
        is_ngram = entry_lengths == group.n
        own = (np.cumsum(in_entries) - in_entries)[is_ngram]
        token_id = np.full(group.n_distinct, OOV_ID, dtype=np.int32)
        token_id[group.ids[own]] = entry_ids[is_ngram]
        n_in_entries = in_entries.sum()
        flat[position] = token_id[group.ids[n_in_entries:]]
        if tokenizer.binary:
            repeated[position[group.repeated[n_in_entries:]]] = True
    return tokenizer._sequences(flat, n_per_text, repeated)


def assert_same_sequences(result, expected):
    assert len(result) == len(expected)
    for sequence, expected_sequence in zip(result, expected):
        assert sequence.dtype == np.int32
        np.testing.assert_array_equal(sequence, expected_sequence)


def read_sentences(path):
    """The texts of a sentences/ file, one ``LABEL TEXT`` a line."""
    with open(path, encoding="utf-8", errors="replace") as file:
        return [line.split(" ", 1)[1] for line in file if " " in line]


@pytest.fixture(scope="module")
def sst2():
    """SST-2's training and test sentences; the test set has unseen words."""
    data_home = os.environ.get("SK_EMBED_DATA")
    folder = Path(data_home or "") / "sentences"
    if not data_home or not folder.is_dir():
        pytest.skip("SK_EMBED_DATA must name a folder holding sentences/")
    return (
        read_sentences(folder / "stsa.binary.train"),
        read_sentences(folder / "stsa.binary.test"),
    )


@pytest.fixture(scope="module")
def imdb_slice(imdb_data_home):
    """2,000 training and 1,000 test reviews: long texts, HTML line breaks."""
    from sk_embed.datasets import fetch_imdb

    train = fetch_imdb(subset="train", data_home=imdb_data_home).data
    test = fetch_imdb(subset="test", data_home=imdb_data_home).data
    return list(train[::12]), list(test[::25])


CONFIGURATIONS = [
    {"ngram_range": (1, 2), "binary": False},
    {"ngram_range": (1, 3), "binary": True},
    {"ngram_range": (1, 3), "binary": False, "num_words": 5_000},
    {"ngram_range": (2, 3), "binary": True, "num_words": 20_000},
    {"ngram_range": (1, 4), "binary": True, "min_count": 2},
]


@pytest.mark.data
@pytest.mark.parametrize("params", CONFIGURATIONS)
@pytest.mark.parametrize("data", ["sst2", "imdb_slice"])
def test_same_ids_as_before_on_real_texts(request, data, params):
    train, test = request.getfixturevalue(data)
    tokenizer = SequenceTokenizer(**params)
    fitted = tokenizer.fit_transform(train)
    # The test texts have words and n-grams never seen in training.
    expected = transform_as_before(tokenizer, test)
    assert_same_sequences(tokenizer.transform(test), expected)
    assert_same_sequences(tokenizer.transform(train), fitted)
    one = test[:1]
    assert_same_sequences(tokenizer.transform(one), transform_as_before(tokenizer, one))


@pytest.mark.data
def test_ngrams_longer_than_the_vocabulary_are_oov(sst2):
    """Fitted with bigrams, transformed with trigrams: no trigram is known."""
    train, test = sst2
    tokenizer = SequenceTokenizer(ngram_range=(1, 2)).fit(train)
    tokenizer.set_params(ngram_range=(1, 3))
    expected = transform_as_before(tokenizer, test)
    assert_same_sequences(tokenizer.transform(test), expected)


def test_index_is_built_once_and_left_out_of_pickles():
    tokenizer = SequenceTokenizer(ngram_range=(1, 2)).fit(["a b c", "b c d"])
    tokenizer.transform(["a b"])
    index = tokenizer._ngram_index()
    tokenizer.transform(["c d"])
    assert tokenizer._ngram_index() is index

    empty = pickle.dumps(SequenceTokenizer(ngram_range=(1, 2)).fit(["a b c", "b c d"]))
    assert len(pickle.dumps(tokenizer)) == len(empty)
    restored = pickle.loads(pickle.dumps(tokenizer))
    assert_same_sequences(
        restored.transform(["a b c d e"]), tokenizer.transform(["a b c d e"])
    )


def test_refit_and_a_vocabulary_set_by_hand_get_a_new_index():
    tokenizer = SequenceTokenizer(ngram_range=(1, 2)).fit(["a b", "a b"])
    assert tokenizer.transform(["a b"])[0].tolist() == [2, 3, 4]
    tokenizer.fit(["x y", "x y"])
    assert tokenizer.transform(["a b", "x y"])[0].tolist() == [1, 1, 1]
    tokenizer.vocabulary_ = {"a b": 2}
    assert tokenizer.transform(["a b"])[0].tolist() == [1, 1, 2]


def test_unknown_word_with_a_space_can_still_spell_a_known_bigram():
    """"a b" found as one word by the pattern equals the bigram "a b"."""
    tokenizer = SequenceTokenizer(ngram_range=(1, 2), token_pattern=r"[^,]+")
    tokenizer.fit(["a,b", "a,b"])
    assert tokenizer.vocabulary_ == {"a": 2, "b": 3, "a b": 4}
    assert tokenizer.transform(["a b,b"])[0].tolist() == [4, 3, 1]


@pytest.mark.parametrize("ngram_range", [(1, 3), (2, 3), (1, 2), (3, 3)])
@pytest.mark.parametrize("num_words", [None, 6])
def test_the_index_from_fit_equals_the_index_of_the_vocabulary(ngram_range, num_words):
    # fit builds transform's index from the words it counted (all the
    # training words, numbered as it met them); a pickle rebuilds it from
    # the vocabulary's strings. Both must give every n-gram the same id.
    train = ["the cat sat on the mat", "the cat ate", "a dog sat on a cat", "on the"]
    texts = ["the cat sat on a mat", "dog ate the cat", "unknown cat sat", "", "on"]
    tokenizer = SequenceTokenizer(ngram_range=ngram_range, num_words=num_words)
    tokenizer.fit(train)
    assert tokenizer._ngram_index_cache[1].func is _NgramIndex
    from_fit = tokenizer.transform(texts)
    from_vocabulary = pickle.loads(pickle.dumps(tokenizer)).transform(texts)
    assert_same_sequences(from_fit, from_vocabulary)
    assert_same_sequences(from_fit, transform_as_before(tokenizer, texts))
