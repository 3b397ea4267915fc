"""The tokenizers' ``analyzer`` and ``tokenizer`` parameters: CountVectorizer's
meanings, in both tokenizers, with clear errors."""

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils._param_validation import InvalidParameterError

from sk_embed import HashingSequenceTokenizer, SequenceTokenizer, make_text_classifier
from sk_embed.text._hashes import _hash_strings

TEXTS = [
    "A  great movie,\tGREAT acting!",
    "Not a great movie. Boring",
    "ok",
    "",
    "中文评论，很好",
]


def comma_split(text):
    """A user's segmenter, defined at the top level so that it pickles."""
    return [part.strip() for part in text.split(",") if part.strip()]


def tokens_of(tokenizer, texts):
    return tokenizer.inverse_transform(tokenizer.fit(texts).transform(texts))


@pytest.mark.parametrize("analyzer", ["char", "char_wb"])
@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 3), (2, 5), (4, 6)])
@pytest.mark.parametrize("binary", [False, True])
def test_character_tokens_are_count_vectorizers(analyzer, ngram_range, binary):
    tokenizer = SequenceTokenizer(
        analyzer=analyzer, ngram_range=ngram_range, binary=binary
    )
    vectorizer = CountVectorizer(analyzer=analyzer, ngram_range=ngram_range)
    analyze = vectorizer.build_analyzer()
    expected = [analyze(text) for text in TEXTS]
    if binary:
        expected = [list(dict.fromkeys(tokens)) for tokens in expected]
    assert tokens_of(tokenizer, TEXTS) == expected


@pytest.mark.parametrize("analyzer", ["char", "char_wb"])
def test_hashed_character_tokens_are_count_vectorizers(analyzer):
    tokenizer = HashingSequenceTokenizer(
        n_buckets=1000, analyzer=analyzer, ngram_range=(2, 4)
    )
    analyze = CountVectorizer(analyzer=analyzer, ngram_range=(2, 4)).build_analyzer()
    for text, ids in zip(TEXTS, tokenizer.fit_transform(TEXTS)):
        expected = (_hash_strings(analyze(text)) >> np.uint64(32)) * np.uint64(1000)
        expected = (expected >> np.uint64(32)).astype(np.int64) + 1
        assert ids.tolist() == expected.tolist()


@pytest.mark.parametrize("make", [SequenceTokenizer, HashingSequenceTokenizer])
def test_a_tokenizer_finds_the_words_of_the_ngrams(make):
    # str.split finds what the pattern \S+ finds: the same ids.
    by_function = make(tokenizer=str.split, ngram_range=(1, 2)).fit(TEXTS)
    by_pattern = make(token_pattern=r"\S+", ngram_range=(1, 2)).fit(TEXTS)
    for ours, theirs in zip(by_function.transform(TEXTS), by_pattern.transform(TEXTS)):
        np.testing.assert_array_equal(ours, theirs)


def test_a_tokenizers_words_may_hold_spaces():
    tokenizer = SequenceTokenizer(tokenizer=comma_split, ngram_range=(1, 2))
    # Preprocessed (lowercased) first, as with a token pattern.
    assert tokens_of(tokenizer, TEXTS[:2]) == [
        ["a  great movie", "great acting!", "a  great movie great acting!"],
        ["not a great movie. boring"],
    ]


def test_a_callable_analyzer_gets_the_raw_text_and_ignores_ngram_range():
    seen = []

    def analyze(text):
        seen.append(text)
        return text.split()

    tokenizer = SequenceTokenizer(analyzer=analyze, ngram_range=(2, 3))
    assert tokens_of(tokenizer, ["Raw <br /> TEXT"]) == [["Raw", "<br", "/>", "TEXT"]]
    assert seen[0] == "Raw <br /> TEXT"


@pytest.mark.parametrize("make", [SequenceTokenizer, HashingSequenceTokenizer])
def test_a_tokenizer_with_its_own_function_pickles(make):
    tokenizer = make(tokenizer=comma_split, ngram_range=(1, 2)).fit(TEXTS)
    restored = pickle.loads(pickle.dumps(tokenizer))
    for before, after in zip(tokenizer.transform(TEXTS), restored.transform(TEXTS)):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("make", [SequenceTokenizer, HashingSequenceTokenizer])
def test_an_unknown_analyzer_is_refused(make):
    with pytest.raises(InvalidParameterError, match="'analyzer' parameter"):
        make(analyzer="chars").fit(TEXTS)


@pytest.mark.parametrize("make", [SequenceTokenizer, HashingSequenceTokenizer])
@pytest.mark.parametrize("param", ["analyzer", "tokenizer"])
def test_a_function_that_returns_no_token_list_says_so(make, param):
    with pytest.raises(TypeError, match=f"{param} must return a list of str"):
        make(**{param: str.upper}).fit_transform(TEXTS)


@pytest.mark.parametrize("make", [SequenceTokenizer, HashingSequenceTokenizer])
def test_a_tokenizer_beside_a_character_analyzer_warns(make):
    with pytest.warns(UserWarning, match="tokenizer is ignored"):
        make(analyzer="char_wb", tokenizer=comma_split).fit(TEXTS)
    with pytest.warns(UserWarning, match="token_pattern is ignored"):
        make(token_pattern=r"\w+", tokenizer=comma_split).fit(TEXTS)


@pytest.mark.parametrize("analyzer", ["char", "char_wb"])
def test_make_text_classifier_counts_characters_two_to_five(analyzer):
    assert make_text_classifier(analyzer=analyzer)[0].ngram_range == (2, 5)
    given = make_text_classifier(analyzer=analyzer, ngram_range=(1, 4))
    assert given[0].ngram_range == (1, 4)
    assert make_text_classifier()[0].ngram_range == (1, 3)
