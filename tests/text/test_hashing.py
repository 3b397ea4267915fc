"""Tests for HashingSequenceTokenizer: raw texts to hashed token ids."""

import json
import os
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import SkipTestWarning
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_checks
from sklearn.utils._param_validation import InvalidParameterError

import sk_embed.text._hashing
from sk_embed import (
    HashingSequenceTokenizer,
    PadTransformer,
    SequenceEmbeddingClassifier,
    SequenceTokenizer,
)
from sk_embed.text._analysis import DEFAULT_TOKEN_PATTERN
from sk_embed.text._hashing import MAX_BUCKETS

REVIEWS = [
    "A great movie!<br /><br />Great acting, great story.",
    "Not a great movie. I didn't like it: 3/10.",
    "Boring movie.<br/>Really boring<br>and long.",
]

# The default pattern, written as a different string: it takes the ``re``
# path, which the array path must match token for token.
#: The default pattern, spelled otherwise, so that the tokenizer runs it
#: through ``re`` instead of its array code.
SAME_PATTERN_VIA_RE = f"(?:{DEFAULT_TOKEN_PATTERN})"


def as_lists(sequences):
    return [sequence.tolist() for sequence in sequences]


# --------------------------------------------------------------------------
# The hash, defined independently of the implementation
#
# A token's id must never change: models are trained on these ids. This
# reference spells out the definition with Python integers; the literal
# constants are part of the promise.
# --------------------------------------------------------------------------

MASK = 2**64 - 1


def reference_mix(z):
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & MASK
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def reference_word_key(word):
    polynomial = sum(
        (ord(character) + 1) * pow(0x9E3779B97F4A7C15, k, 2**64)
        for k, character in enumerate(word)
    )
    return reference_mix(polynomial & MASK)


def reference_ngram_key(words):
    key = reference_word_key(words[0])
    for word in words[1:]:
        key = (key * 0xC2B2AE3D27D4EB4F + reference_word_key(word)) & MASK
        key = reference_mix(key)
    return key


def reference_transform(texts, n_buckets, ngram_range=(1, 1), binary=False):
    find_words = re.compile(DEFAULT_TOKEN_PATTERN).findall
    sequences = []
    for text in texts:
        words = find_words(re.sub(r"(?i)<br\s*/?>", " ", text).lower())
        ids = [
            (((reference_ngram_key(words[start : start + n]) >> 32) * n_buckets) >> 32)
            + 1
            for n in range(ngram_range[0], ngram_range[1] + 1)
            for start in range(len(words) - n + 1)
        ]
        sequences.append(list(dict.fromkeys(ids)) if binary else ids)
    return sequences


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 3)])
@pytest.mark.parametrize("binary", [False, True])
def test_matches_the_reference_definition(ngram_range, binary):
    tokenizer = HashingSequenceTokenizer(
        n_buckets=50, ngram_range=ngram_range, binary=binary
    )
    expected = reference_transform(REVIEWS, 50, ngram_range, binary)
    assert as_lists(tokenizer.transform(REVIEWS)) == expected


def test_ids_are_pinned():
    # The same numbers on every machine and in every release: changing them
    # breaks every model trained on the old ids.
    tokenizer = HashingSequenceTokenizer(ngram_range=(1, 2))
    assert as_lists(tokenizer.transform(["Don't panic", "é 𝔘"])) == [
        [232594, 142238, 281330],
        [470554, 306529, 606465],
    ]


# Text that exercises the tokenization: word characters of several scripts
# and planes, apostrophes, underscores, digits, separators, surrogates.
texts = st.lists(
    st.text(
        alphabet=st.one_of(
            # Letters of scripts written without spaces are tokens alone.
            st.sampled_from(
                [*"ab Z_9'’- \n\t.<>/中のภ々", "\ud800", "𝔘", "\U00020001"]
            ),
            st.characters(codec=None, max_codepoint=0x2FFFF),
        ),
        max_size=25,
    ),
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(texts=texts)
def test_array_tokenization_matches_the_regular_expression(texts):
    for ngram_range in [(1, 1), (1, 2)]:
        fast = HashingSequenceTokenizer(n_buckets=97, ngram_range=ngram_range)
        via_re = clone(fast).set_params(token_pattern=SAME_PATTERN_VIA_RE)
        assert as_lists(fast.transform(texts)) == as_lists(via_re.transform(texts))


@settings(max_examples=30, deadline=None)
@given(texts=texts)
def test_matches_the_reference_on_any_text(texts):
    tokenizer = HashingSequenceTokenizer(n_buckets=1000, ngram_range=(1, 2))
    expected = reference_transform(texts, 1000, (1, 2))
    assert as_lists(tokenizer.transform(texts)) == expected


def test_custom_pattern_follows_the_same_definition_empty_tokens_included():
    texts = ["a bc", "", "don't"]
    tokenizer = HashingSequenceTokenizer(n_buckets=1000, token_pattern=r"\w*")
    expected = [
        [((reference_word_key(token) >> 32) * 1000 >> 32) + 1 for token in tokens]
        for tokens in map(re.compile(r"\w*").findall, texts)
    ]
    assert as_lists(tokenizer.transform(texts)) == expected
    assert len(expected[1]) == 1  # "" has one (empty) token


# --------------------------------------------------------------------------
# Ids: range, padding, stability across chunks, orders and processes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_buckets", [1, 2, 7, 2**20, MAX_BUCKETS])
def test_ids_lie_in_one_to_n_buckets(n_buckets):
    tokenizer = HashingSequenceTokenizer(n_buckets=n_buckets, ngram_range=(1, 3))
    flat = np.concatenate(tokenizer.transform(REVIEWS))
    assert flat.min() >= 1 and flat.max() <= n_buckets
    assert tokenizer.vocab_size == n_buckets + 1
    if n_buckets == 1:
        assert set(flat.tolist()) == {1}


def test_buckets_are_used_evenly():
    words = [f"word{i}" for i in range(20_000)]
    [ids] = HashingSequenceTokenizer(n_buckets=10).transform([" ".join(words)])
    counts = np.bincount(ids, minlength=11)[1:]
    # 2,000 expected per bucket; a binomial's standard deviation is 42.
    assert np.all(np.abs(counts - 2_000) < 250)


def test_output_is_one_int32_array_per_text_with_a_token_per_word():
    sequences = HashingSequenceTokenizer().transform(REVIEWS + ["", "..."])
    assert isinstance(sequences, list) and len(sequences) == 5
    assert all(s.dtype == np.int32 and s.ndim == 1 for s in sequences)
    assert [len(s) for s in sequences] == [7, 10, 6, 0, 0]


def test_same_token_same_id_and_positions_kept():
    [ids] = HashingSequenceTokenizer().transform(["great GREAT film great"])
    assert ids[0] == ids[1] == ids[3] != ids[2]


def test_transform_of_no_documents_is_empty_list():
    assert HashingSequenceTokenizer().transform([]) == []


def test_chunks_and_order_do_not_change_the_ids():
    tokenizer = HashingSequenceTokenizer(n_buckets=1000, ngram_range=(1, 2))
    whole = as_lists(tokenizer.transform(REVIEWS))
    one_by_one = [as_lists(tokenizer.transform([text]))[0] for text in REVIEWS]
    reversed_ = as_lists(tokenizer.transform(REVIEWS[::-1]))[::-1]
    assert whole == one_by_one == reversed_


@pytest.mark.parametrize("binary", [False, True])
def test_blocks_of_texts_do_not_change_the_ids(monkeypatch, binary):
    # Texts are processed a block at a time; with tiny blocks, every text is
    # a block or shares one with a few others.
    tokenizer = HashingSequenceTokenizer(ngram_range=(1, 3), binary=binary)
    texts = REVIEWS * 4 + ["", "word"]
    expected = as_lists(tokenizer.transform(texts))
    monkeypatch.setattr(sk_embed.text._hashing, "_BLOCK_CHARACTERS", 30)
    assert as_lists(tokenizer.transform(texts)) == expected
    tokenizer.set_params(token_pattern=SAME_PATTERN_VIA_RE)
    assert as_lists(tokenizer.transform(texts)) == expected


def test_no_fit_needed_and_fit_changes_nothing():
    tokenizer = HashingSequenceTokenizer(n_buckets=100)
    before = as_lists(tokenizer.transform(REVIEWS))
    assert tokenizer.fit(["other words entirely"]) is tokenizer
    assert vars(tokenizer) == vars(HashingSequenceTokenizer(n_buckets=100))
    assert as_lists(tokenizer.transform(REVIEWS)) == before
    assert as_lists(tokenizer.fit_transform(REVIEWS)) == before


# The package's __init__ imports TensorFlow, which takes seconds; the
# tokenizer needs none of it, so the child processes load sk_embed's modules
# under a bare package.
CHILD_SCRIPT = """
import json, sys, types
package = types.ModuleType("sk_embed")
package.__path__ = [sys.argv[1]]
sys.modules["sk_embed"] = package
from sk_embed.text._hashing import HashingSequenceTokenizer
tokenizer = HashingSequenceTokenizer(n_buckets=1000, ngram_range=(1, 2))
ids = [s.tolist() for s in tokenizer.transform(json.loads(sys.argv[2]))]
print(json.dumps({"ids": ids, "hash": hash("great")}))
"""


def test_same_ids_in_a_process_with_another_hash_seed():
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    package_dir = str(Path(sk_embed.text._hashing.__file__).parents[1])
    child = subprocess.run(
        [sys.executable, "-c", CHILD_SCRIPT, package_dir, json.dumps(REVIEWS)],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(child.stdout)
    # Python's own string hashes differ between the two processes...
    assert result["hash"] != hash("great")
    # ...the token ids do not.
    tokenizer = HashingSequenceTokenizer(n_buckets=1000, ngram_range=(1, 2))
    assert result["ids"] == as_lists(tokenizer.transform(REVIEWS))


# --------------------------------------------------------------------------
# Text options, shared with SequenceTokenizer
# --------------------------------------------------------------------------


def test_same_tokens_as_sequence_tokenizer():
    # Equal tokens get equal ids in both tokenizers, distinct ones distinct
    # ids (no collision among so few tokens in 2**20 buckets).
    params = {"ngram_range": (1, 2), "lowercase": False}
    hashed = HashingSequenceTokenizer(**params).transform(REVIEWS)
    ranked = SequenceTokenizer(**params).fit_transform(REVIEWS)
    pairs = set(zip(np.concatenate(hashed).tolist(), np.concatenate(ranked).tolist()))
    assert len({h for h, _ in pairs}) == len({r for _, r in pairs}) == len(pairs)
    assert [len(s) for s in hashed] == [len(s) for s in ranked]


def test_lowercase_off_keeps_case_variants_apart():
    [ids] = HashingSequenceTokenizer(lowercase=False).transform(["Great great"])
    assert ids[0] != ids[1]


def test_html_line_breaks_are_not_tokens():
    tokenizer = HashingSequenceTokenizer()
    assert as_lists(tokenizer.transform(["end.<br />Next"])) == as_lists(
        tokenizer.transform(["end. Next"])
    )


def test_custom_token_pattern_and_group():
    tokenizer = HashingSequenceTokenizer(token_pattern=r"\b(\w\w+)\b")
    [ids] = tokenizer.transform(["I am a b cd"])
    assert as_lists([ids]) == as_lists(HashingSequenceTokenizer().transform(["am cd"]))


@pytest.mark.parametrize("pattern", [None, SAME_PATTERN_VIA_RE])
def test_preprocessor_replaces_default_preprocessing(pattern):
    params = {} if pattern is None else {"token_pattern": pattern}
    tokenizer = HashingSequenceTokenizer(preprocessor=str.upper, **params)
    assert as_lists(tokenizer.transform(["great<br>"])) == as_lists(
        HashingSequenceTokenizer(lowercase=False).transform(["GREAT BR"])
    )


def test_preprocessor_returning_a_non_string_raises():
    tokenizer = HashingSequenceTokenizer(preprocessor=len)
    with pytest.raises(TypeError, match="preprocessor must return a str"):
        tokenizer.transform(["text"])


def test_bigrams_appended_after_unigrams_in_text_order():
    unigram = HashingSequenceTokenizer().transform
    [ids] = HashingSequenceTokenizer(ngram_range=(1, 2)).transform(["a b c"])
    assert ids[:3].tolist() == unigram(["a b c"])[0].tolist()
    assert len(ids) == 5 and len(set(ids[3:].tolist()) | set(ids[:3].tolist())) == 5
    # "a b" differs from "b a".
    [reverse] = HashingSequenceTokenizer(ngram_range=(2, 2)).transform(["b a"])
    assert reverse[0] != ids[3]


def test_binary_keeps_first_occurrences_and_merges_colliding_tokens():
    tokenizer = HashingSequenceTokenizer(binary=True)
    [ids] = tokenizer.transform(["so so good, so good"])
    expected = HashingSequenceTokenizer().transform(["so good"])
    assert as_lists([ids]) == as_lists(expected)
    # With one bucket every token collides: one id per non-empty text.
    single = HashingSequenceTokenizer(n_buckets=1, binary=True, ngram_range=(1, 2))
    assert as_lists(single.transform(REVIEWS + [""])) == [[1], [1], [1], []]


def test_binary_with_more_texts_than_keys_can_pack():
    # 70,000 texts in one block: their (text, id) keys and positions need
    # 47 + 19 bits, more than 63, so the sort takes its argsort branch.
    texts = ["a b a"] * 70_000
    tokenizer = HashingSequenceTokenizer(ngram_range=(1, 2), binary=True)
    [once] = HashingSequenceTokenizer(ngram_range=(1, 2)).transform(texts[:1])
    expected = list(dict.fromkeys(once.tolist()))
    flat = np.concatenate(tokenizer.transform(texts))
    assert len(expected) == 4
    assert flat.tolist() == expected * len(texts)


# --------------------------------------------------------------------------
# Input handling and parameters
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "container",
    [tuple, np.array, pd.Series, lambda texts: (text for text in texts)],
    ids=["tuple", "ndarray", "Series", "generator"],
)
def test_containers_give_the_same_result_as_a_list(container):
    tokenizer = HashingSequenceTokenizer()
    expected = as_lists(tokenizer.transform(REVIEWS))
    assert as_lists(tokenizer.transform(container(REVIEWS))) == expected
    assert as_lists(tokenizer.fit_transform(container(REVIEWS))) == expected


def test_input_is_not_mutated():
    texts = np.array(REVIEWS, dtype=object)
    HashingSequenceTokenizer(ngram_range=(1, 2), binary=True).transform(texts)
    assert texts.tolist() == REVIEWS


@pytest.mark.parametrize("method", ["fit", "transform", "fit_transform"])
def test_bare_string_raises(method):
    with pytest.raises(ValueError, match="string object received"):
        getattr(HashingSequenceTokenizer(), method)("one text")


def test_non_str_document_error_names_its_position():
    with pytest.raises(TypeError, match="position 1 is of type int"):
        HashingSequenceTokenizer().transform(["text", 3])


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"n_buckets": 0}, InvalidParameterError, "n_buckets"),
        ({"n_buckets": MAX_BUCKETS + 1}, InvalidParameterError, "n_buckets"),
        ({"n_buckets": 10.0}, InvalidParameterError, "n_buckets"),
        ({"ngram_range": (2, 1)}, ValueError, "Invalid ngram_range"),
        ({"token_pattern": "("}, ValueError, "not a valid regular expression"),
        ({"token_pattern": "(a)(b)"}, ValueError, "capturing groups"),
        ({"lowercase": "yes"}, InvalidParameterError, "lowercase"),
    ],
)
@pytest.mark.parametrize("method", ["fit", "transform"])
def test_invalid_parameters_raise_in_fit_and_transform(params, error, message, method):
    tokenizer = HashingSequenceTokenizer(**params)
    with pytest.raises(error, match=message):
        getattr(tokenizer, method)(REVIEWS)


def test_init_stores_parameters_untouched_and_keyword_only():
    ngram_range = [1, 2]
    tokenizer = HashingSequenceTokenizer(ngram_range=ngram_range)
    assert tokenizer.ngram_range is ngram_range
    with pytest.raises(TypeError):
        HashingSequenceTokenizer(10)


def test_tags_declare_stateless_string_input():
    tags = HashingSequenceTokenizer().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert not tags.requires_fit


def test_check_estimator_passes():
    # Checks needing numeric 2-D input are skipped for string estimators
    # (with a SkipTestWarning); whatever runs must pass.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkipTestWarning)
        estimator_checks.check_estimator(HashingSequenceTokenizer())


def test_param_validation_check():
    # Not among test_common.py's text-input checks, which run no fit.
    estimator_checks.check_param_validation(
        "HashingSequenceTokenizer", HashingSequenceTokenizer(ngram_range=(1, 2))
    )


# --------------------------------------------------------------------------
# In a pipeline, and persisted
# --------------------------------------------------------------------------


def test_pipeline_fits_predicts_and_round_trips(tmp_path):
    tokenizer = HashingSequenceTokenizer(n_buckets=64)
    texts = ["good fun", "great good", "bad dull", "dull awful"] * 6
    labels = ["pos", "pos", "neg", "neg"] * 6
    pipe = make_pipeline(
        tokenizer,
        PadTransformer(maxlen=3),
        SequenceEmbeddingClassifier(
            vocab_size=tokenizer.vocab_size,
            embedding_dim=4,
            pooling="average",
            hidden_units=(),
            epochs=2,
            random_state=0,
        ),
    )
    pipe.fit(texts, labels)
    assert pipe[-1].vocab_size_ == 65
    predictions = pipe.predict(texts)
    assert set(predictions) <= {"pos", "neg"}

    ids = as_lists(pipe[0].transform(texts))
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    restored_pipes = [
        pickle.loads(pickle.dumps(pipe)),
        joblib.load(tmp_path / "pipe.joblib"),
    ]
    for restored in restored_pipes:
        assert as_lists(restored[0].transform(texts)) == ids
        np.testing.assert_array_equal(restored.predict(texts), predictions)


# --------------------------------------------------------------------------
# Real IMDB reviews (skipped when the data is absent)
# --------------------------------------------------------------------------


@pytest.mark.data
def test_real_reviews(imdb_data_home):
    from sk_embed.datasets import fetch_imdb

    reviews = fetch_imdb(subset="train", data_home=imdb_data_home).data[:300]
    tokenizer = HashingSequenceTokenizer(ngram_range=(1, 2))
    hashed = tokenizer.transform(reviews)
    via_re = tokenizer.set_params(token_pattern=SAME_PATTERN_VIA_RE).transform(reviews)
    assert as_lists(hashed) == as_lists(via_re)
    ranked = SequenceTokenizer(ngram_range=(1, 2)).fit_transform(reviews)
    assert [len(s) for s in hashed] == [len(s) for s in ranked]
