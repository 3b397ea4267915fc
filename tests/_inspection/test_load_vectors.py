"""Tests for load_word_vectors: GloVe / word2vec text files to embedding rows."""

import gzip
import os
import pickle
import re
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sk_embed import SequenceTokenizer
from sk_embed import load_word_vectors

TEXTS = ["the cat sat on the mat", "the dog sat", "a cat and a dog"]

VECTORS = {
    "the": [0.1, 0.2, 0.3],
    "cat": [1.0, -1.0, 0.5],
    "dog": [2.0, 0.0, -2.5],
    "zebra": [9.0, 9.0, 9.0],  # not in the vocabulary
    "sat": [-0.25, 0.75, 1.5],
    "mat": [3.0, 3.5, 4.0],
}


def glove_text(vectors=VECTORS):
    return "".join(
        f"{word} {' '.join(map(str, values))}\n" for word, values in vectors.items()
    )


def word2vec_text(vectors=VECTORS):
    # word2vec's C tool writes a space after every value, the last included.
    dim = len(next(iter(vectors.values())))
    lines = [f"{len(vectors)} {dim}\n"]
    lines += [
        f"{word} {''.join(f'{value} ' for value in values)}\n"
        for word, values in vectors.items()
    ]
    return "".join(lines)


def write(tmp_path, text, name="vectors.txt", encoding="utf-8"):
    path = tmp_path / name
    data = text.encode(encoding) if isinstance(text, str) else text
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def tokenizer():
    return SequenceTokenizer().fit(TEXTS)


def assert_rows_match(matrix, vocabulary, vectors):
    for word, id_ in vocabulary.items():
        if word in vectors:
            np.testing.assert_array_equal(
                matrix[id_], np.float32(vectors[word]), err_msg=word
            )


# --------------------------------------------------------------------------
# Formats and alignment
# --------------------------------------------------------------------------


def test_glove_rows_aligned_to_fitted_tokenizer(tmp_path, tokenizer):
    path = write(tmp_path, glove_text())
    matrix, n_covered = load_word_vectors(path, tokenizer, missing="zeros")

    vocabulary = tokenizer.vocabulary_
    assert matrix.shape == (max(vocabulary.values()) + 1, 3)
    assert matrix.shape[0] == len(vocabulary) + 2  # the Embedding input_dim
    assert matrix.dtype == np.float32
    assert_rows_match(matrix, vocabulary, VECTORS)
    covered = [word for word in vocabulary if word in VECTORS]
    assert n_covered == len(covered) == 5
    # The transformed ids index the matching vectors.
    ids = tokenizer.transform(["the dog sat"])[0]
    np.testing.assert_array_equal(
        matrix[ids], np.float32([VECTORS["the"], VECTORS["dog"], VECTORS["sat"]])
    )


def test_result_attributes_coverage_and_missing_words(tmp_path, tokenizer):
    path = write(tmp_path, glove_text())
    result = load_word_vectors(str(path), tokenizer.vocabulary_, random_state=0)

    vocabulary = tokenizer.vocabulary_
    assert result.n_words == len(vocabulary)
    assert result.n_covered == 5
    assert result.coverage == pytest.approx(5 / len(vocabulary))
    expected_missing = sorted(
        (word for word in vocabulary if word not in VECTORS), key=vocabulary.get
    )
    assert result.missing_words == expected_missing
    assert "zebra" not in result.missing_words
    matrix, n_covered = result
    assert matrix is result.matrix and n_covered == result.n_covered
    assert re.fullmatch(
        r"WordVectors\(matrix=<\d+x3 float32 array>, n_covered=5, n_words=\d+, "
        r"coverage=\d+\.\d%\)",
        repr(result),
    )
    copy = pickle.loads(pickle.dumps(result))
    np.testing.assert_array_equal(copy.matrix, result.matrix)
    assert copy.missing_words == result.missing_words


@pytest.mark.parametrize("name", ["vectors.txt.gz", "vectors.gz.bin"])
def test_gzip_detected_from_content(tmp_path, tokenizer, name):
    plain = load_word_vectors(write(tmp_path, glove_text()), tokenizer, random_state=0)
    path = write(tmp_path, glove_text(), name="vectors.txt.gz")
    if name != "vectors.txt.gz":
        path = path.rename(tmp_path / name)  # gzip content, misleading name
    packed = load_word_vectors(path, tokenizer, random_state=0)
    assert packed.n_covered == plain.n_covered == 5
    np.testing.assert_array_equal(packed.matrix, plain.matrix)


def test_word2vec_header_detected_and_skipped(tmp_path, tokenizer):
    path = write(tmp_path, word2vec_text())
    matrix, n_covered = load_word_vectors(path, tokenizer, missing="zeros")
    assert matrix.shape[1] == 3
    assert n_covered == 5
    assert_rows_match(matrix, tokenizer.vocabulary_, VECTORS)


def test_word2vec_header_with_word_named_like_a_number(tmp_path):
    # The header is only the first line: later "2 3"-like lines are vectors.
    path = write(tmp_path, "2 1\n7 0.5\nx 1.5\n")
    matrix, n_covered = load_word_vectors(path, {"7": 2, "x": 3})
    assert n_covered == 2
    np.testing.assert_array_equal(matrix[2:], [[0.5], [1.5]])


def test_gzip_word2vec_with_byte_order_mark(tmp_path):
    text = "\ufeff" + word2vec_text({"a": [1, 2], "b": [3, 4]})
    path = write(tmp_path, text, name="w2v.txt.gz")
    matrix, n_covered = load_word_vectors(path, {"a": 2, "b": 3})
    assert n_covered == 2
    np.testing.assert_array_equal(matrix[2:], [[1, 2], [3, 4]])


def test_blank_lines_skipped_and_crlf_accepted(tmp_path):
    path = write(tmp_path, "\na 1 2\r\n\r\n\nb 3 4\r\n\n")
    matrix, n_covered = load_word_vectors(path, {"a": 2, "b": 3})
    assert n_covered == 2
    np.testing.assert_array_equal(matrix[2:], [[1, 2], [3, 4]])


def test_irregular_spacing_between_values(tmp_path):
    path = write(tmp_path, "a 1  2\nb  3 4\nc 5\t6 \n")
    matrix, n_covered = load_word_vectors(path, {"a": 2, "b": 3, "c": 4})
    assert n_covered == 3
    np.testing.assert_array_equal(matrix[2:], [[1, 2], [3, 4], [5, 6]])


def test_word_ends_at_first_space_not_at_other_whitespace(tmp_path):
    # GloVe 840B has words with non-breaking spaces; a tab is part of a word.
    path = write(tmp_path, "a\xa0b 1 2\nc\td 3 4\n")
    matrix, n_covered = load_word_vectors(path, {"a\xa0b": 2, "c\td": 3, "a": 4})
    assert n_covered == 2
    np.testing.assert_array_equal(matrix[2:4], [[1, 2], [3, 4]])


def test_accepts_pathlib_and_str(tmp_path):
    path = write(tmp_path, "a 1 2\n")
    for given_path in (path, str(path)):
        assert load_word_vectors(given_path, {"a": 2}).n_covered == 1


# --------------------------------------------------------------------------
# Initialisation of the rows without a vector
# --------------------------------------------------------------------------


def test_padding_row_is_zero_for_every_policy(tmp_path, tokenizer):
    path = write(tmp_path, glove_text())
    for missing in ("random", "zeros"):
        matrix, _ = load_word_vectors(
            path, tokenizer, missing=missing, random_state=0, n_rows=20
        )
        np.testing.assert_array_equal(matrix[0], 0)


def test_zeros_policy(tmp_path, tokenizer):
    path = write(tmp_path, glove_text())
    result = load_word_vectors(path, tokenizer, missing="zeros")
    vocabulary = tokenizer.vocabulary_
    np.testing.assert_array_equal(result.matrix[1], 0)  # out of vocabulary
    for word in result.missing_words:
        np.testing.assert_array_equal(result.matrix[vocabulary[word]], 0)


def test_random_policy_is_seeded_and_matches_loaded_statistics(tmp_path):
    rng = np.random.RandomState(42)
    values = rng.normal(3.0, 0.5, size=(100, 10)).round(4)
    vectors = {f"w{i}": row for i, row in enumerate(values)}
    path = write(tmp_path, glove_text(vectors))
    # 100 words found, 200 missing (ids 102..301), plus the OOV row.
    vocabulary = {f"w{i}": i + 2 for i in range(300)}

    first = load_word_vectors(path, vocabulary, random_state=0)
    second = load_word_vectors(path, vocabulary, random_state=0)
    other = load_word_vectors(path, vocabulary, random_state=1)
    np.testing.assert_array_equal(first.matrix, second.matrix)
    assert not np.array_equal(first.matrix, other.matrix)
    np.testing.assert_array_equal(first.matrix[2:102], np.float32(values))
    np.testing.assert_array_equal(first.matrix[2:102], other.matrix[2:102])

    drawn = first.matrix[np.r_[1, 102:302]]
    assert abs(drawn.mean() - values.mean()) < 0.05
    assert abs(drawn.std() - values.std()) < 0.05
    assert first.matrix.dtype == np.float32


def test_random_policy_accepts_random_state_instance(tmp_path):
    path = write(tmp_path, "a 1 2\nb 3 5\n")
    vocabulary = {"a": 2, "b": 3, "c": 4}
    first = load_word_vectors(path, vocabulary, random_state=np.random.RandomState(7))
    second = load_word_vectors(path, vocabulary, random_state=7)
    np.testing.assert_array_equal(first.matrix, second.matrix)
    assert np.all(first.matrix[[1, 4]] != 0)


def test_global_numpy_random_state_untouched(tmp_path):
    path = write(tmp_path, "a 1 2\nb 3 5\n")
    vocabulary = {"a": 2, "b": 3, "c": 4}
    before = np.random.get_state()
    for random_state in (None, 0):
        load_word_vectors(path, vocabulary, random_state=random_state)
    after = np.random.get_state()
    assert before[0] == after[0]
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2:] == after[2:]


def test_unseeded_draws_do_not_follow_the_global_seed(tmp_path):
    path = write(tmp_path, "a 1 2\nb 3 5\n")
    vocabulary = {"a": 2, "b": 3, "c": 4}
    np.random.seed(0)
    first = load_word_vectors(path, vocabulary).matrix
    np.random.seed(0)
    second = load_word_vectors(path, vocabulary).matrix
    assert not np.array_equal(first, second)


# --------------------------------------------------------------------------
# n_rows and num_words
# --------------------------------------------------------------------------


def test_n_rows_matches_tokenizer_num_words(tmp_path):
    tokenizer = SequenceTokenizer(num_words=4).fit(TEXTS)
    assert max(tokenizer.vocabulary_.values()) == 3
    path = write(tmp_path, glove_text())
    matrix, n_covered = load_word_vectors(
        path, tokenizer, n_rows=tokenizer.num_words, missing="zeros"
    )
    assert matrix.shape == (4, 3)
    assert_rows_match(matrix, tokenizer.vocabulary_, VECTORS)
    assert n_covered == sum(word in VECTORS for word in tokenizer.vocabulary_)


def test_n_rows_larger_pads_with_initialised_rows(tmp_path, tokenizer):
    path = write(tmp_path, glove_text())
    n_ids = len(tokenizer.vocabulary_) + 2
    result = load_word_vectors(path, tokenizer, n_rows=n_ids + 5, random_state=0)
    assert result.matrix.shape == (n_ids + 5, 3)
    assert result.n_words == len(tokenizer.vocabulary_)
    assert np.all(result.matrix[n_ids:] != 0)
    zeros = load_word_vectors(path, tokenizer, n_rows=n_ids + 5, missing="zeros")
    np.testing.assert_array_equal(zeros.matrix[n_ids:], 0)


def test_n_rows_smaller_drops_the_words_with_larger_ids(tmp_path):
    path = write(tmp_path, "a 1 1\nb 2 2\nc 3 3\n")
    vocabulary = {"a": 2, "b": 3, "c": 4, "d": 5}
    result = load_word_vectors(path, vocabulary, n_rows=4)
    assert result.matrix.shape == (4, 2)
    assert (result.n_covered, result.n_words) == (2, 2)
    assert result.missing_words == []
    np.testing.assert_array_equal(result.matrix[2:], [[1, 1], [2, 2]])


def test_n_rows_below_every_id_raises(tmp_path):
    path = write(tmp_path, "a 1 1\n")
    with pytest.raises(ValueError, match="below n_rows=3"):
        load_word_vectors(path, {"a": 5}, n_rows=3)


# --------------------------------------------------------------------------
# Lookup: case, duplicates, words with spaces
# --------------------------------------------------------------------------


def test_lowercase_fallback(tmp_path):
    path = write(tmp_path, "paris 1 2\nlondon 3 4\nBerlin 5 6\n")
    vocabulary = {"Paris": 2, "london": 3, "berlin": 4}

    strict = load_word_vectors(path, vocabulary, missing="zeros")
    assert strict.n_covered == 1
    assert strict.missing_words == ["Paris", "berlin"]

    folded = load_word_vectors(path, vocabulary, lowercase=True, missing="zeros")
    assert folded.n_covered == 3
    np.testing.assert_array_equal(folded.matrix[2:], [[1, 2], [3, 4], [5, 6]])


def test_lowercase_exact_match_wins_even_later_in_file(tmp_path):
    path = write(tmp_path, "apple 1 1\nAPPLE 2 2\nApple 3 3\n")
    vocabulary = {"Apple": 2, "apple": 3, "aPPle": 4}
    matrix, n_covered = load_word_vectors(path, vocabulary, lowercase=True)
    assert n_covered == 3
    np.testing.assert_array_equal(matrix[2], [3, 3])  # exact, last line
    np.testing.assert_array_equal(matrix[3], [1, 1])  # exact, first line
    np.testing.assert_array_equal(matrix[4], [1, 1])  # first case-insensitive


def test_zero_coverage_raises_with_lowercase_hint(tmp_path):
    path = write(tmp_path, "paris 1 2\n")
    with pytest.raises(ValueError, match="None of the 1 vocabulary.*lowercase=True"):
        load_word_vectors(path, {"Paris": 2})


def test_duplicate_words_first_vector_wins(tmp_path):
    path = write(tmp_path, "a 1 2\nb 3 4\na 5 6\nb 7 8\n")
    matrix, n_covered = load_word_vectors(path, {"a": 2, "b": 3})
    assert n_covered == 2
    np.testing.assert_array_equal(matrix[2:], [[1, 2], [3, 4]])


def test_glove_840b_words_with_spaces(tmp_path):
    text = "a 1 2\n. . . 3 4\nat name@domain.com 5 6\nb 7 8\n"
    path = write(tmp_path, text)
    vocabulary = {"a": 2, ". . .": 3, "at name@domain.com": 4, "b": 5, ".": 6}
    result = load_word_vectors(path, vocabulary, missing="zeros")
    assert result.missing_words == ["."]
    np.testing.assert_array_equal(result.matrix[2:6], [[1, 2], [3, 4], [5, 6], [7, 8]])


def test_encoding_parameter(tmp_path):
    path = write(tmp_path, "café 1 2\nnaïve 3 4\n", encoding="latin-1")
    matrix, n_covered = load_word_vectors(
        path, {"café": 2, "naïve": 3}, encoding="latin-1"
    )
    assert n_covered == 2
    np.testing.assert_array_equal(matrix[2:], [[1, 2], [3, 4]])


def test_utf8_words(tmp_path):
    path = write(tmp_path, "日本 1 2\nnaïve 3 4\n")
    assert load_word_vectors(path, {"日本": 2, "naïve": 3}).n_covered == 2


# --------------------------------------------------------------------------
# Errors naming the file and the line
# --------------------------------------------------------------------------


def line_error(path, lineno):
    """Regex for a message naming ``path`` and ``line <lineno>``."""
    return re.escape(f"{str(path)!r}, line {lineno}:")


def test_non_numeric_value_names_line(tmp_path):
    path = write(tmp_path, "a 1 2\n\nb 3 x4\n")
    with pytest.raises(ValueError, match=line_error(path, 3) + ".*'x4'.*'b'"):
        load_word_vectors(path, {"a": 2, "b": 3})


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_value_names_line(tmp_path, value):
    path = write(tmp_path, f"a 1 2\nb 3 {value}\n")
    with pytest.raises(ValueError, match=line_error(path, 2) + ".*non-finite"):
        load_word_vectors(path, {"a": 2, "b": 3})


def test_float32_overflow_names_line(tmp_path):
    path = write(tmp_path, "a 1 2\nb 3 1e50\n")
    with pytest.raises(ValueError, match=line_error(path, 2) + ".*overflows"):
        load_word_vectors(path, {"a": 2, "b": 3})


def test_too_few_values_names_line_even_for_words_not_in_vocabulary(tmp_path):
    path = write(tmp_path, "a 1 2 3\nb 4 5 6\nzzz 7 8\nc 1 1 1\n")
    with pytest.raises(
        ValueError, match=line_error(path, 3) + r".*expected 3 values.*line 1.*got 2"
    ):
        load_word_vectors(path, {"a": 2})


def test_too_many_numeric_values_names_line(tmp_path):
    path = write(tmp_path, "a 1 2\nzzz 3 4 5\n")
    with pytest.raises(ValueError, match=line_error(path, 2) + ".*expected 2.*got 3"):
        load_word_vectors(path, {"a": 2})


def test_word_without_values_names_line(tmp_path):
    path = write(tmp_path, "a\nb 1 2\n")
    with pytest.raises(ValueError, match=line_error(path, 1) + ".*no values"):
        load_word_vectors(path, {"a": 2})
    path = write(tmp_path, "a 1\nb\n")
    with pytest.raises(ValueError, match=line_error(path, 2) + ".*got 0"):
        load_word_vectors(path, {"a": 2})


def test_lines_disagree_with_header_dimension(tmp_path):
    path = write(tmp_path, "2 3\na 1 2 3\nb 4 5\n")
    with pytest.raises(
        ValueError, match=line_error(path, 3) + ".*expected 3.*header on line 1"
    ):
        load_word_vectors(path, {"a": 2})


def test_header_count_disagrees_with_lines(tmp_path):
    path = write(tmp_path, "3 2\na 1 2\nb 4 5\n")
    with pytest.raises(ValueError, match=line_error(path, 1) + ".*announces 3.*2"):
        load_word_vectors(path, {"a": 2})


def test_embedding_dim(tmp_path):
    path = write(tmp_path, "a 1 2\nb 3 4\n")
    matrix, _ = load_word_vectors(path, {"a": 2}, embedding_dim=2)
    assert matrix.shape == (3, 2)
    with pytest.raises(
        ValueError, match=line_error(path, 1) + ".*expected 3.*embedding_dim=3"
    ):
        load_word_vectors(path, {"a": 2}, embedding_dim=3)
    header = write(tmp_path, "2 2\na 1 2\nb 3 4\n", name="w2v.txt")
    with pytest.raises(
        ValueError, match=line_error(header, 1) + ".*dimension 2.*embedding_dim=3"
    ):
        load_word_vectors(header, {"a": 2}, embedding_dim=3)


def test_invalid_utf8_names_line(tmp_path):
    path = write(tmp_path, b"a 1 2\nb 3 4\nc\xff\xfe 5 6\n")
    with pytest.raises(ValueError, match=line_error(path, 3) + ".*utf-8"):
        load_word_vectors(path, {"a": 2})


@pytest.mark.parametrize(
    "text, message",
    [("", "is empty"), ("\n\n  \n", "is empty"), ("5 3\n", "only a header")],
)
def test_file_without_vectors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message):
        load_word_vectors(path, {"a": 2})


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_word_vectors(tmp_path / "nope.txt", {"a": 2})


# --------------------------------------------------------------------------
# Parameter and vocabulary validation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vocabulary, error, message",
    [
        ({}, ValueError, "empty"),
        ({"a": 1}, ValueError, "reserved"),
        ({"a": 0, "b": 2}, ValueError, "reserved"),
        ({"a": 2, "b": 2}, ValueError, "distinct"),
        ({"a": 2.0}, TypeError, "integers"),
        ({3: 2}, TypeError, "must be str"),
    ],
)
def test_invalid_vocabulary(tmp_path, vocabulary, error, message):
    path = write(tmp_path, "a 1 2\n")
    with pytest.raises(error, match=message):
        load_word_vectors(path, vocabulary)


def test_numpy_integer_ids_accepted(tmp_path):
    path = write(tmp_path, "a 1 2\n")
    assert load_word_vectors(path, {"a": np.int64(2)}).n_covered == 1


def test_unfitted_tokenizer(tmp_path):
    path = write(tmp_path, "a 1 2\n")
    with pytest.raises(NotFittedError):
        load_word_vectors(path, SequenceTokenizer())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"missing": "uniform"},
        {"n_rows": 2},
        {"embedding_dim": 0},
        {"lowercase": "yes"},
        {"random_state": "seed"},
    ],
)
def test_invalid_parameters(tmp_path, kwargs):
    path = write(tmp_path, "a 1 2\n")
    with pytest.raises(InvalidParameterError):
        load_word_vectors(path, {"a": 2}, **kwargs)


def test_invalid_vocabulary_type(tmp_path):
    path = write(tmp_path, "a 1 2\n")
    with pytest.raises(InvalidParameterError):
        load_word_vectors(path, ["a"])


@pytest.mark.parametrize(
    "encoding, message", [("utf-16", "not supported"), ("no-such-codec", "Unknown")]
)
def test_unsupported_encodings(tmp_path, encoding, message):
    path = write(tmp_path, "a 1 2\n")
    with pytest.raises(ValueError, match=message):
        load_word_vectors(path, {"a": 2}, encoding=encoding)


# --------------------------------------------------------------------------
# Property: every vector written is read back in its word's row
# --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    words=st.lists(
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cs", "Z", "Cc"), blacklist_characters="\ufeff"
            ),
            min_size=1,
            max_size=8,
        ),
        min_size=1,
        max_size=12,
        unique=True,
    ),
    dim=st.integers(1, 5),
    seed=st.integers(0, 2**31 - 1),
    header=st.booleans(),
)
def test_round_trip(words, dim, seed, header):
    # A one-value GloVe first line "<digits> <int>" would read as a header.
    if not header and dim == 1:
        dim = 2
    rng = np.random.RandomState(seed)
    values = rng.normal(size=(len(words), dim)).astype(np.float32)
    vectors = {word: [repr(float(v)) for v in row] for word, row in zip(words, values)}
    text = word2vec_text(vectors) if header else glove_text(vectors)
    ids = rng.permutation(len(words)) + 2
    vocabulary = dict(zip(words, ids.tolist()))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "vectors.txt")
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        matrix, n_covered = load_word_vectors(path, vocabulary)
    assert n_covered == len(words)
    np.testing.assert_array_equal(matrix[ids], values)
    np.testing.assert_array_equal(matrix[0], 0)
