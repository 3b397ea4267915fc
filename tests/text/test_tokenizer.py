"""Tests for SequenceTokenizer: raw texts to ragged sequences of word ids."""

import copy
import pickle
import re
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError, SkipTestWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils import estimator_checks
from sklearn.utils._param_validation import InvalidParameterError

from sk_embed import SequenceTokenizer
from sk_embed.text._analysis import (
    DEFAULT_TOKEN_PATTERN,
    _default_pattern_words,
    is_unspaced,
)
from sk_embed.text._tokenizer import OOV_TOKEN
from conftest import shared_data_home

DEFAULT_PATTERN = r"(?u)\w+(?:'\w+)*"

REVIEWS = [
    "A great movie!<br /><br />Great acting, great story.",
    "Not a great movie. I didn't like it: 3/10.",
    "Boring movie.<br/>Really boring<br>and long.",
]


# --------------------------------------------------------------------------
# Vocabulary: ranking, tie-break, num_words, min_count
# --------------------------------------------------------------------------


def test_ids_ranked_by_descending_count():
    tokenizer = SequenceTokenizer().fit(["b a c", "c b d", "c"])
    # c: 3, b: 2, then a and d once each.
    assert tokenizer.vocabulary_["c"] == 2
    assert tokenizer.vocabulary_["b"] == 3


def test_ties_broken_by_first_occurrence_not_alphabet():
    tokenizer = SequenceTokenizer().fit(["zeta alpha", "mid zeta alpha mid"])
    # All three are seen twice: zeta first, then alpha, then mid.
    assert tokenizer.vocabulary_ == {"zeta": 2, "alpha": 3, "mid": 4}


def test_vocabulary_ids_are_contiguous_from_two():
    tokenizer = SequenceTokenizer().fit(REVIEWS)
    ids = sorted(tokenizer.vocabulary_.values())
    assert ids == list(range(2, len(ids) + 2))
    # Insertion order follows the ids, so listing the dict reads the ranking.
    assert list(tokenizer.vocabulary_.values()) == ids


@pytest.mark.parametrize("num_words", [3, 4, 7, 1000])
def test_num_words_bounds_every_id_including_reserved(num_words):
    tokenizer = SequenceTokenizer(num_words=num_words)
    fitted_sequences = tokenizer.fit_transform(REVIEWS)
    new_sequences = tokenizer.transform(["great unseen words and a story"])
    for sequence in fitted_sequences + new_sequences:
        assert sequence.max() < num_words
    n_distinct = len(SequenceTokenizer().fit(REVIEWS).vocabulary_)
    assert len(tokenizer.vocabulary_) == min(num_words - 2, n_distinct)


def test_num_words_keeps_the_most_frequent_words():
    tokenizer = SequenceTokenizer(num_words=5).fit(REVIEWS)
    assert tokenizer.vocabulary_ == {"great": 2, "movie": 3, "a": 4}


def test_words_dropped_by_num_words_become_oov_in_place():
    tokenizer = SequenceTokenizer(num_words=3)
    [sequence] = tokenizer.fit_transform(["x y x z"])
    assert sequence.tolist() == [2, 1, 2, 1]


def test_min_count_drops_rare_tokens():
    tokenizer = SequenceTokenizer(min_count=2).fit(["a b a c b a", "d"])
    assert tokenizer.vocabulary_ == {"a": 2, "b": 3}
    assert tokenizer.transform(["d a"])[0].tolist() == [1, 2]


def test_min_count_leaving_no_token_raises():
    with pytest.raises(ValueError, match="min_count=5"):
        SequenceTokenizer(min_count=5).fit(["a b"])


def test_no_token_at_all_raises():
    with pytest.raises(ValueError, match="Empty vocabulary"):
        SequenceTokenizer().fit(["", "!!! ..."])


def test_refit_forgets_previous_vocabulary():
    tokenizer = SequenceTokenizer().fit(["old words"])
    tokenizer.fit(["new"])
    assert tokenizer.vocabulary_ == {"new": 2}


# --------------------------------------------------------------------------
# transform: OOV, padding, output type
# --------------------------------------------------------------------------


def test_unseen_words_map_to_one_keeping_length_and_positions():
    tokenizer = SequenceTokenizer().fit(["good movie"])
    [sequence] = tokenizer.transform(["a good new movie"])
    assert sequence.tolist() == [1, 2, 1, 3]


def test_output_is_list_of_1d_int32_arrays_one_per_document():
    sequences = SequenceTokenizer().fit_transform(REVIEWS)
    assert isinstance(sequences, list) and len(sequences) == len(REVIEWS)
    for sequence in sequences:
        assert isinstance(sequence, np.ndarray)
        assert sequence.ndim == 1 and sequence.dtype == np.int32


def test_empty_text_gives_empty_sequence():
    tokenizer = SequenceTokenizer()
    fitted = tokenizer.fit_transform(["", "some words", "   "])
    new = tokenizer.transform(["", "words"])
    assert [len(sequence) for sequence in fitted] == [0, 2, 0]
    assert new[0].shape == (0,) and new[0].dtype == np.int32
    assert new[1].tolist() == [3]


def test_transform_of_no_documents_is_empty_list():
    assert SequenceTokenizer().fit(REVIEWS).transform([]) == []


def test_fit_transform_equals_fit_then_transform():
    tokenizer = SequenceTokenizer(num_words=8, ngram_range=(1, 2))
    fitted = tokenizer.fit_transform(REVIEWS)
    again = tokenizer.transform(REVIEWS)
    assert [s.tolist() for s in fitted] == [s.tolist() for s in again]


def test_transform_before_fit_raises():
    with pytest.raises(NotFittedError):
        SequenceTokenizer().transform(["text"])


def reference_encoding(documents, num_words):
    """Straightforward re-implementation of the documented behaviour."""
    token_lists = [
        re.findall(r"\w+(?:'\w+)*", re.sub(r"<br\s*/?>", " ", doc, flags=re.I).lower())
        for doc in documents
    ]
    counts = Counter(token for tokens in token_lists for token in tokens)
    first_seen = {}
    for token in (token for tokens in token_lists for token in tokens):
        first_seen.setdefault(token, len(first_seen))
    ranked = sorted(counts, key=lambda token: (-counts[token], first_seen[token]))
    kept = ranked if num_words is None else ranked[: num_words - 2]
    vocabulary = {token: rank + 2 for rank, token in enumerate(kept)}
    sequences = [
        [vocabulary.get(token, 1) for token in tokens] for tokens in token_lists
    ]
    return vocabulary, sequences


# Apostrophes in runs, at the ends and beside other characters, and
# characters whose word-ness takes Unicode to know: combining marks,
# superscripts, Roman numerals, separators that are not ASCII spaces.
TRICKY_CHARACTERS = list("ab_'' -.\n\t7") + [
    "\u2019", "é", "²", "ⅷ", "\u0301", "\u00a0", "\x1c", "中", "\U0001d518",
    # Letters of scripts written without spaces, each a token alone.
    "の", "ภ", "\u0e31", "々", "ｶ", "\U00020001",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(TRICKY_CHARACTERS), max_size=24)
    | st.text(max_size=24)
)
def test_default_pattern_words_equal_the_patterns_findall(text):
    # The default pattern's tokens are found with str methods, not re.
    assert _default_pattern_words(text) == re.findall(DEFAULT_TOKEN_PATTERN, text)


def test_preprocessor_returning_a_non_string_raises():
    tokenizer = SequenceTokenizer(preprocessor=len)
    with pytest.raises(TypeError, match="preprocessor must return a str, got int"):
        tokenizer.fit(["some text"])


WORDS = st.sampled_from(
    ["a", "b", "cc", "Cc", "don't", "é", "<br />", "<BR>", "!", "7/10", "x_y", ""]
)
DOCUMENTS = st.lists(
    st.lists(WORDS, max_size=8).map(" ".join), min_size=1, max_size=6
)


@settings(max_examples=60, deadline=None)
@given(documents=DOCUMENTS, num_words=st.one_of(st.none(), st.integers(3, 8)))
def test_matches_reference_implementation(documents, num_words):
    vocabulary, expected = reference_encoding(documents, num_words)
    tokenizer = SequenceTokenizer(num_words=num_words)
    if not vocabulary:
        with pytest.raises(ValueError, match="Empty vocabulary"):
            tokenizer.fit_transform(documents)
        return
    sequences = tokenizer.fit_transform(documents)
    assert tokenizer.vocabulary_ == vocabulary
    assert [sequence.tolist() for sequence in sequences] == expected
    assert all(0 not in sequence for sequence in sequences)
    assert [s.tolist() for s in tokenizer.transform(documents)] == expected


def reference_tokens(document, ngram_range, binary, token_pattern, lowercase):
    """The tokens of one text, per the documented semantics, string by string."""
    text = re.sub(r"<br\s*/?>", " ", document, flags=re.IGNORECASE)
    words = re.findall(token_pattern, text.lower() if lowercase else text)
    min_n, max_n = ngram_range
    tokens = [
        " ".join(words[start : start + n])
        for n in range(min_n, max_n + 1)
        for start in range(len(words) - n + 1)
    ]
    if binary:
        tokens = [token for i, token in enumerate(tokens) if token not in tokens[:i]]
    return tokens


def reference_ids(tokens, vocabulary, binary):
    ids = [vocabulary.get(token, 1) for token in tokens]
    if binary and 1 in ids:
        first_oov = ids.index(1)
        ids = [i for position, i in enumerate(ids) if i != 1 or position == first_oov]
    return ids


def reference_ngram_fit(documents, num_words, min_count, **analyzer):
    """Vocabulary: count, ties by first occurrence, then min_count, num_words."""
    token_lists = [reference_tokens(document, **analyzer) for document in documents]
    stream = [token for tokens in token_lists for token in tokens]
    counts = Counter(stream)
    first_seen = {token: stream.index(token) for token in counts}
    ranked = sorted(counts, key=lambda token: (-counts[token], first_seen[token]))
    kept = [token for token in ranked if counts[token] >= min_count]
    if num_words is not None:
        kept = kept[: num_words - 2]
    return {token: rank + 2 for rank, token in enumerate(kept)}


# Few words, so that words, n-grams and whole texts repeat within and across
# texts; "a b" and "x  y" match the spaced token pattern below as one token.
NGRAM_WORDS = ["a", "b", "a", "c", "don't", "A", "é", "b,", "<br />", "a b", "x  y"]
SPACED_PATTERN = r"[a-z]+(?: [a-z]+)?"


def random_texts(rng, n_texts):
    return [
        " ".join(rng.choice(NGRAM_WORDS, size=rng.integers(0, 12)))
        for _ in range(n_texts)
    ]


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (1, 3), (2, 3)])
@pytest.mark.parametrize("binary", [False, True])
def test_ngrams_match_reference_implementation(ngram_range, binary):
    rng = np.random.default_rng(sum(ngram_range) + 10 * binary)
    for trial in range(40):
        analyzer = {
            "ngram_range": ngram_range,
            "binary": binary,
            # The spaced pattern makes words with spaces, whose n-grams may
            # equal other tokens; a pattern matching "" makes empty words.
            "token_pattern": [DEFAULT_PATTERN, SPACED_PATTERN, r"\w*"][trial % 3],
            "lowercase": trial % 4 != 0,
        }
        num_words = [None, 3, 5, 12][rng.integers(4)]
        min_count = int(rng.integers(1, 3))
        documents = random_texts(rng, int(rng.integers(1, 8)))
        new_documents = random_texts(rng, 4) + ["", "b b b", "zz a"]
        tokenizer = SequenceTokenizer(
            num_words=num_words, min_count=min_count, **analyzer
        )
        vocabulary = reference_ngram_fit(documents, num_words, min_count, **analyzer)
        if not vocabulary:
            with pytest.raises(ValueError):
                tokenizer.fit_transform(documents)
            continue
        sequences = tokenizer.fit_transform(documents)
        assert list(tokenizer.vocabulary_.items()) == list(vocabulary.items())
        for texts, result in [
            (documents, sequences),
            (documents, tokenizer.transform(documents)),
            (new_documents, tokenizer.transform(new_documents)),
        ]:
            expected = [
                reference_ids(reference_tokens(text, **analyzer), vocabulary, binary)
                for text in texts
            ]
            assert [sequence.tolist() for sequence in result] == expected
            assert all(sequence.dtype == np.int32 for sequence in result)


# --------------------------------------------------------------------------
# Text handling
# --------------------------------------------------------------------------


@pytest.mark.parametrize("line_break", ["<br />", "<br/>", "<br>", "<BR />", "<br  />"])
def test_html_line_breaks_removed_and_split_words(line_break):
    tokenizer = SequenceTokenizer().fit([f"end.{line_break}next{line_break}"])
    assert list(tokenizer.vocabulary_) == ["end", "next"]


def test_line_breaks_removed_without_lowercase_too():
    tokenizer = SequenceTokenizer(lowercase=False).fit(["One<BR/>Two"])
    assert list(tokenizer.vocabulary_) == ["One", "Two"]


def test_a_real_word_br_is_kept():
    tokenizer = SequenceTokenizer().fit(["br is short for brother"])
    assert "br" in tokenizer.vocabulary_


def test_lowercase_on_merges_case_variants():
    tokenizer = SequenceTokenizer().fit(["Great GREAT great"])
    assert tokenizer.vocabulary_ == {"great": 2}


def test_lowercase_off_keeps_case_variants_apart():
    tokenizer = SequenceTokenizer(lowercase=False).fit(["Great GREAT great Great"])
    assert tokenizer.vocabulary_ == {"Great": 2, "GREAT": 3, "great": 4}
    assert tokenizer.transform(["great"])[0].tolist() == [4]


def test_default_pattern_keeps_short_words_contractions_and_digits():
    tokenizer = SequenceTokenizer().fit(["I didn't like it: 3/10, a bore"])
    assert list(tokenizer.vocabulary_) == [
        "i", "didn't", "like", "it", "3", "10", "a", "bore"
    ]


def test_custom_token_pattern_like_count_vectorizer():
    pattern = r"(?u)\b\w\w+\b"
    tokenizer = SequenceTokenizer(token_pattern=pattern).fit(["I didn't see a film"])
    expected = CountVectorizer(token_pattern=pattern).build_analyzer()(
        "I didn't see a film"
    )
    assert list(tokenizer.vocabulary_) == expected == ["didn", "see", "film"]


def test_token_pattern_with_one_group_uses_the_group():
    tokenizer = SequenceTokenizer(token_pattern=r"#(\w+)").fit(["#good and #bad"])
    assert list(tokenizer.vocabulary_) == ["good", "bad"]


def test_preprocessor_replaces_default_preprocessing():
    tokenizer = SequenceTokenizer(preprocessor=lambda text: text.replace("!", " wow "))
    tokenizer.fit(["Nice!<br />"])
    # No lowercasing, no line-break removal: the callable does everything.
    assert list(tokenizer.vocabulary_) == ["Nice", "wow", "br"]


def test_preprocessor_is_used_in_transform():
    tokenizer = SequenceTokenizer(preprocessor=str.upper).fit(["abc"])
    assert tokenizer.transform(["abc ABC"])[0].tolist() == [2, 2]


def test_bigrams_appended_after_unigrams_in_text_order():
    tokenizer = SequenceTokenizer(ngram_range=(1, 2))
    [sequence] = tokenizer.fit_transform(["not good not bad"])
    assert tokenizer.inverse_transform([sequence]) == [
        ["not", "good", "not", "bad", "not good", "good not", "not bad"]
    ]


def test_bigrams_count_in_ranking_and_num_words():
    tokenizer = SequenceTokenizer(ngram_range=(1, 2), num_words=4)
    tokenizer.fit(["good movie", "good movie", "bad"])
    # good, movie and "good movie" are seen twice; "bad" once is dropped.
    assert tokenizer.vocabulary_ == {"good": 2, "movie": 3}
    tokenizer.set_params(num_words=5).fit(["good movie", "good movie", "bad"])
    assert tokenizer.vocabulary_ == {"good": 2, "movie": 3, "good movie": 4}


def test_unseen_bigram_is_oov():
    tokenizer = SequenceTokenizer(ngram_range=(1, 2)).fit(["good movie"])
    [sequence] = tokenizer.transform(["movie good"])
    assert sequence.tolist() == [3, 2, 1]


def test_bigrams_only_and_trigrams():
    only_bigrams = SequenceTokenizer(ngram_range=(2, 2)).fit(["a b c"])
    assert list(only_bigrams.vocabulary_) == ["a b", "b c"]
    up_to_trigrams = SequenceTokenizer(ngram_range=(1, 3)).fit(["a b c"])
    assert list(up_to_trigrams.vocabulary_) == ["a", "b", "c", "a b", "b c", "a b c"]


def test_short_documents_have_no_ngrams_longer_than_themselves():
    tokenizer = SequenceTokenizer(ngram_range=(1, 3))
    sequences = tokenizer.fit_transform(["one", "", "one two"])
    assert [len(sequence) for sequence in sequences] == [1, 0, 3]


def test_binary_keeps_first_occurrences_in_text_order():
    tokenizer = SequenceTokenizer(binary=True, ngram_range=(1, 2))
    [sequence] = tokenizer.fit_transform(["not good not good at all"])
    assert tokenizer.inverse_transform([sequence]) == [
        ["not", "good", "at", "all", "not good", "good not", "good at", "at all"]
    ]


def test_binary_ranks_tokens_by_document_frequency():
    documents = ["spam spam spam spam", "egg ham", "egg"]
    assert list(SequenceTokenizer().fit(documents).vocabulary_) == [
        "spam", "egg", "ham"
    ]  # fmt: skip
    binary = SequenceTokenizer(binary=True).fit(documents)
    assert list(binary.vocabulary_) == ["egg", "spam", "ham"]
    # min_count counts documents too: spam is in one document only.
    assert list(binary.set_params(min_count=2).fit(documents).vocabulary_) == ["egg"]


def test_binary_keeps_one_oov_id_per_text():
    tokenizer = SequenceTokenizer(binary=True).fit(["a b", "b c"])
    sequences = tokenizer.transform(["c x b c y b", "x y", "", "a"])
    # x and y are distinct unknown tokens, but both are id 1: kept once.
    assert [sequence.tolist() for sequence in sequences] == [[4, 1, 2], [1], [], [3]]


def test_binary_fit_transform_equals_fit_then_transform():
    # num_words=4 makes "c" and "d" out of vocabulary inside fit_transform.
    documents = ["a b c d a", "b a", "d c c", "a"]
    tokenizer = SequenceTokenizer(binary=True, num_words=4, ngram_range=(1, 2))
    expected = tokenizer.fit(documents).transform(documents)
    result = tokenizer.fit_transform(documents)
    assert [r.tolist() for r in result] == [e.tolist() for e in expected]
    assert all(len(set(r.tolist())) == len(r) for r in result)


# --------------------------------------------------------------------------
# inverse_transform
# --------------------------------------------------------------------------


def test_inverse_transform_round_trip():
    tokenizer = SequenceTokenizer().fit(REVIEWS)
    sequences = tokenizer.transform(REVIEWS)
    analyzer_tokens = [
        re.findall(r"\w+(?:'\w+)*", re.sub(r"<br\s*/?>", " ", doc).lower())
        for doc in REVIEWS
    ]
    assert tokenizer.inverse_transform(sequences) == analyzer_tokens


def test_inverse_transform_marks_oov_and_drops_padding():
    tokenizer = SequenceTokenizer().fit(["good movie"])
    padded = np.array([[0, 0, 2, 1, 3], [2, 0, 0, 0, 0]])
    assert tokenizer.inverse_transform(padded) == [
        ["good", OOV_TOKEN, "movie"],
        ["good"],
    ]
    assert OOV_TOKEN == "<OOV>"


def test_inverse_transform_accepts_lists_and_empty_sequences():
    tokenizer = SequenceTokenizer().fit(["good movie"])
    assert tokenizer.inverse_transform([[3, 2], [], np.array([], dtype=np.int32)]) == [
        ["movie", "good"],
        [],
        [],
    ]


@pytest.mark.parametrize(
    "sequences, message",
    [
        ([[2], [4]], "position 1 has ids outside"),
        ([[-1]], "position 0 has ids outside"),
        ([[2.0]], "position 0 must be 1-D integer"),
        ("abc", "got a string"),
    ],
)
def test_inverse_transform_rejects_invalid_ids(sequences, message):
    tokenizer = SequenceTokenizer().fit(["good movie"])
    with pytest.raises(ValueError, match=message):
        tokenizer.inverse_transform(sequences)


# --------------------------------------------------------------------------
# Input validation and containers
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["fit", "fit_transform", "transform"])
def test_bare_string_raises_like_count_vectorizer(method):
    tokenizer = SequenceTokenizer().fit(REVIEWS)
    expected = "Iterable over raw text documents expected, string object received."
    with pytest.raises(ValueError, match=re.escape(expected)):
        getattr(tokenizer, method)("a single review")


@pytest.mark.parametrize(
    "documents, position, type_name",
    [
        (["fine", "ok", None], 2, "NoneType"),
        (["fine", b"bytes"], 1, "bytes"),
        ([3, "fine"], 0, "int"),
        (["fine", 1.5], 1, "float"),
        (pd.Series(["fine", np.nan], index=[10, 20]), 1, "float"),
    ],
)
@pytest.mark.parametrize("method", ["fit", "fit_transform", "transform"])
def test_non_str_document_error_names_its_position(
    documents, position, type_name, method
):
    tokenizer = SequenceTokenizer().fit(REVIEWS)
    expected = f"Document at position {position} is of type {type_name}"
    with pytest.raises(TypeError, match=expected):
        getattr(tokenizer, method)(documents)


@pytest.mark.parametrize(
    "documents, error, message",
    [
        (b"raw bytes", ValueError, "bytes object received"),
        (5, TypeError, "Iterable over raw text documents expected, got int"),
        (None, TypeError, "got NoneType"),
        (np.array([["a", "b"]]), ValueError, r"1-D collection.*\(1, 2\)"),
        (pd.DataFrame({"text": ["a"]}), ValueError, "1-D collection"),
    ],
)
def test_invalid_containers_raise(documents, error, message):
    with pytest.raises(error, match=message):
        SequenceTokenizer().fit(documents)


def test_fit_on_no_documents_raises():
    with pytest.raises(ValueError, match="empty collection"):
        SequenceTokenizer().fit([])


@pytest.mark.parametrize(
    "container",
    [
        tuple,
        np.array,
        lambda docs: np.array(docs, dtype=object),
        pd.Series,
        lambda docs: pd.Series(docs, index=[7, 3, 5]),
        iter,
    ],
    ids=["tuple", "str-array", "object-array", "series", "series-index", "iterator"],
)
def test_containers_give_the_same_result_as_a_list(container):
    expected = SequenceTokenizer().fit_transform(REVIEWS)
    tokenizer = SequenceTokenizer()
    got = tokenizer.fit_transform(container(REVIEWS))
    assert [s.tolist() for s in got] == [s.tolist() for s in expected]
    again = tokenizer.transform(container(REVIEWS))
    assert [s.tolist() for s in again] == [s.tolist() for s in expected]


@pytest.mark.parametrize(
    "container", [list, np.array, lambda d: np.array(d, dtype=object), pd.Series]
)
def test_input_is_not_mutated(container):
    documents = container(REVIEWS)
    snapshot = copy.deepcopy(documents)
    tokenizer = SequenceTokenizer(num_words=5, ngram_range=(1, 2))
    tokenizer.fit_transform(documents)
    tokenizer.transform(documents)
    tokenizer.fit(documents)
    assert list(documents) == list(snapshot)
    assert type(documents) is type(snapshot)


# --------------------------------------------------------------------------
# Parameters and scikit-learn conventions
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({"num_words": 0}, "'num_words' parameter"),
        ({"num_words": 2}, "'num_words' parameter"),
        ({"num_words": 10.0}, "'num_words' parameter"),
        ({"num_words": "100"}, "'num_words' parameter"),
        ({"min_count": 0}, "'min_count' parameter"),
        ({"lowercase": "yes"}, "'lowercase' parameter"),
        ({"token_pattern": 5}, "'token_pattern' parameter"),
        ({"preprocessor": "lower"}, "'preprocessor' parameter"),
        ({"ngram_range": [1, 2]}, "'ngram_range' parameter"),
        ({"binary": "yes"}, "'binary' parameter"),
    ],
)
def test_invalid_parameter_types_and_ranges(params, message):
    with pytest.raises(InvalidParameterError, match=message):
        SequenceTokenizer(**params).fit(REVIEWS)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"ngram_range": (2, 1)}, r"Invalid ngram_range=\(2, 1\)"),
        ({"ngram_range": (0, 1)}, r"Invalid ngram_range=\(0, 1\)"),
        ({"ngram_range": (1,)}, "Invalid ngram_range"),
        ({"ngram_range": (1, 2.0)}, "Invalid ngram_range"),
        ({"token_pattern": "("}, "not a valid regular expression"),
        ({"token_pattern": r"(\w)(\w)"}, "2 capturing groups"),
    ],
)
@pytest.mark.parametrize("method", ["fit", "fit_transform"])
def test_invalid_parameter_values(params, message, method):
    with pytest.raises(ValueError, match=message):
        getattr(SequenceTokenizer(**params), method)(REVIEWS)


def test_init_stores_parameters_untouched_and_keyword_only():
    ngram_range = (1, 2)
    tokenizer = SequenceTokenizer(num_words=10, ngram_range=ngram_range)
    assert tokenizer.ngram_range is ngram_range
    assert tokenizer.get_params()["num_words"] == 10
    with pytest.raises(TypeError):
        SequenceTokenizer(10)


def test_fit_returns_self_and_does_not_change_parameters():
    tokenizer = SequenceTokenizer(num_words=5)
    params = tokenizer.get_params()
    assert tokenizer.fit(REVIEWS) is tokenizer
    assert tokenizer.get_params() == params


def test_clone_refits_to_the_same_result():
    tokenizer = SequenceTokenizer(num_words=6, ngram_range=(1, 2)).fit(REVIEWS)
    cloned = clone(tokenizer)
    assert not hasattr(cloned, "vocabulary_")
    cloned.fit(REVIEWS)
    assert cloned.vocabulary_ == tokenizer.vocabulary_


def test_pickled_fitted_tokenizer_transforms_identically():
    tokenizer = SequenceTokenizer(num_words=6, ngram_range=(1, 2)).fit(REVIEWS)
    restored = pickle.loads(pickle.dumps(tokenizer))
    texts = REVIEWS + ["an unseen great movie"]
    expected = [s.tolist() for s in tokenizer.transform(texts)]
    assert [s.tolist() for s in restored.transform(texts)] == expected


def test_tags_declare_string_input():
    tags = SequenceTokenizer().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert tags.requires_fit
    assert "_more_tags" not in vars(SequenceTokenizer)


def test_no_n_features_in_like_count_vectorizer():
    assert not hasattr(SequenceTokenizer().fit(REVIEWS), "n_features_in_")


def test_check_estimator_passes():
    # Checks needing numeric 2-D input are skipped for string estimators
    # (with a SkipTestWarning); whatever runs must pass.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkipTestWarning)
        estimator_checks.check_estimator(SequenceTokenizer())


@pytest.mark.parametrize(
    "check_name",
    [
        "check_estimator_cloneable",
        "check_estimator_repr",
        "check_estimator_tags_renamed",
        "check_valid_tag_types",
        "check_no_attributes_set_in_init",
        "check_parameters_default_constructible",
        "check_get_params_invariance",
        "check_set_params",
        "check_do_not_raise_errors_in_init_or_set_params",
        "check_mixin_order",
        "check_param_validation",
    ],
)
def test_data_independent_sklearn_checks(check_name):
    # check_estimator skips everything for string input; these checks do not
    # need numeric data, so run them explicitly.
    check = getattr(estimator_checks, check_name)
    check("SequenceTokenizer", SequenceTokenizer(num_words=100, ngram_range=(1, 2)))


# --------------------------------------------------------------------------
# Real IMDB reviews (skipped when the data is absent)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imdb_reviews(imdb_data_home):
    """The first 300 raw training reviews (HTML line breaks included)."""
    from sk_embed.datasets import fetch_imdb

    return fetch_imdb(subset="train", data_home=imdb_data_home).data[:300]


@pytest.mark.data
def test_real_reviews(imdb_reviews):
    assert any("<br />" in review for review in imdb_reviews)
    tokenizer = SequenceTokenizer(num_words=500, ngram_range=(1, 2))
    sequences = tokenizer.fit_transform(imdb_reviews)
    assert max(sequence.max() for sequence in sequences) == 499
    assert min(sequence.min() for sequence in sequences) == 1
    assert "br" not in tokenizer.vocabulary_
    assert {"the", "movie", "of the"} <= set(tokenizer.vocabulary_)
    again = tokenizer.transform(imdb_reviews)
    assert all(np.array_equal(a, b) for a, b in zip(sequences, again))
    # Positions are kept: as many ids as unigrams + bigrams of each review.
    unigrams = SequenceTokenizer().fit(imdb_reviews).transform(imdb_reviews)
    assert [len(s) for s in sequences] == [
        max(2 * len(u) - 1, 0) for u in unigrams
    ]


@pytest.mark.data
@pytest.mark.parametrize(
    "name", ["imdb", "subj", "custrev", "mpqa", "sst2", "sst5", "banking77", "nlupp"]
)
def test_english_words_are_those_of_the_old_pattern(bench_datasets, name):
    """Splitting the scripts written without spaces into letters changes no
    token of the shared sets in English, so no id either."""
    data_home = shared_data_home("sentences", "intents", "aclImdb_labeled.tar.gz")
    train_texts, _, test_texts, _ = bench_datasets.load_dataset(name, data_home)
    old_words = re.compile(r"(?u)\w+(?:'\w+)*").findall
    for text in [*train_texts, *test_texts]:
        assert _default_pattern_words(text) == old_words(text)


@pytest.mark.data
def test_chinese_reviews_become_characters(bench_datasets):
    data_home = shared_data_home("languages")
    texts, *_ = bench_datasets.load_dataset("chnsenticorp", data_home)
    words = _default_pattern_words(texts[0])
    assert words[:6] == list("选择珠江花园")
    assert all(len(word) == 1 for word in words if is_unspaced(ord(word[0])))
