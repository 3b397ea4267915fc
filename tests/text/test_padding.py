import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from keras.utils import pad_sequences
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from sk_embed import PadTransformer
from sk_embed.text._padding import AUTO_MAXLEN

sequences_strategy = st.lists(
    st.lists(st.integers(-1000, 100_000), max_size=12), min_size=1, max_size=15
)


@settings(max_examples=300, deadline=None)
@given(
    sequences=sequences_strategy,
    maxlen=st.one_of(st.none(), st.integers(1, 15)),
    padding=st.sampled_from(["pre", "post"]),
    truncating=st.sampled_from(["pre", "post"]),
    value=st.integers(-5, 5),
    dtype=st.sampled_from(["int32", "int64", "float32"]),
)
def test_output_equals_keras_pad_sequences(
    sequences, maxlen, padding, truncating, value, dtype
):
    if maxlen is None and not any(sequences):
        return  # Keras gives width 0; we refuse to learn maxlen (tested below)
    params = dict(padding=padding, truncating=truncating, value=value, dtype=dtype)
    expected = pad_sequences(sequences, maxlen=maxlen, **params)
    result = PadTransformer(maxlen=maxlen, **params).fit_transform(sequences)
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize(
    "container",
    [
        list,
        tuple,
        lambda seqs: [np.asarray(s, dtype=np.int64) for s in seqs],
        lambda seqs: np.array([np.asarray(s) for s in seqs], dtype=object),
        lambda seqs: pd.Series(seqs),
    ],
    ids=["list", "tuple", "arrays", "object-array", "series"],
)
def test_accepts_every_sequence_container(container):
    sequences = [[1, 2, 3], [4], [5, 6, 7, 8, 9]]
    result = PadTransformer(maxlen=4).fit_transform(container(sequences))
    np.testing.assert_array_equal(result, pad_sequences(sequences, maxlen=4))


def test_maxlen_none_learns_longest_training_sequence():
    pad = PadTransformer().fit([[1], [1, 2, 3], [4, 5]])
    assert pad.maxlen_ == 3
    assert pad.transform([[1, 2, 3, 4, 5]]).tolist() == [[3, 4, 5]]
    assert not hasattr(pad, "n_features_in_")


def test_maxlen_auto_learns_longest_training_sequence_up_to_a_cap():
    pad = PadTransformer(maxlen="auto").fit([[1], [1, 2, 3], [4, 5]])
    assert pad.maxlen_ == 3
    assert pad.transform([[1, 2, 3, 4, 5]]).tolist() == [[3, 4, 5]]
    long_rows = [list(range(1, AUTO_MAXLEN + 50)), [1, 2]]
    pad = PadTransformer(maxlen="auto", truncating="post").fit(long_rows)
    assert pad.maxlen_ == AUTO_MAXLEN
    assert pad.transform(long_rows).shape == (2, AUTO_MAXLEN)


@pytest.mark.parametrize("maxlen", [None, "auto"])
def test_all_empty_sequences_without_maxlen_raise(maxlen):
    with pytest.raises(ValueError, match="every training sequence is empty"):
        PadTransformer(maxlen=maxlen).fit([[], []])


def test_empty_sequences_become_value_rows():
    result = PadTransformer(maxlen=3, value=7).fit_transform([[], [1]])
    assert result.tolist() == [[7, 7, 7], [7, 7, 1]]


def test_matrix_width_is_enforced_after_fit_on_matrix():
    pad = PadTransformer().fit(np.ones((3, 4), dtype=int))
    assert pad.n_features_in_ == 4
    with pytest.raises(ValueError, match="X has 2 features"):
        pad.transform(np.ones((3, 2), dtype=int))
    # Sequences of any length are still padded.
    assert pad.transform([[1, 2]]).tolist() == [[0, 0, 1, 2]]


def test_fit_on_sequences_forgets_earlier_matrix_width():
    pad = PadTransformer(maxlen=3).fit(np.ones((2, 5), dtype=int))
    pad.fit([[1, 2]])
    assert not hasattr(pad, "n_features_in_")
    assert pad.transform(np.ones((1, 7), dtype=int)).shape == (1, 3)


@pytest.mark.parametrize(
    "bad, message",
    [
        ([[1, 2], [3, np.nan]], "NaN or infinity at row 1"),
        ([[1, 2], [3, 2.5]], "non-integer value 2.5 at row 1"),
        ([[1, 2], [3, np.inf]], "NaN or infinity at row 1"),
        ([[1], ["a", "b"]], "Row 1 contains non-numeric"),
        ([[1], 5], "Row 1 is not a sequence"),
        ([[1], [[1, 2], [3, 4]]], "Row 1 has shape"),
    ],
)
def test_bad_elements_raise_naming_the_row(bad, message):
    with pytest.raises(ValueError, match=message):
        PadTransformer(maxlen=3).fit(bad)


def test_bad_elements_at_transform_name_the_row():
    pad = PadTransformer(maxlen=3).fit([[1, 2]])
    with pytest.raises(ValueError, match="row 2"):
        pad.transform([[1], [2], [3.5]])


def test_raw_text_is_rejected_with_a_hint():
    with pytest.raises(TypeError, match="tokenize"):
        PadTransformer().fit(["a review", "another"])


def test_one_dimensional_array_is_rejected():
    with pytest.raises(ValueError, match="Reshape your data"):
        PadTransformer(maxlen=3).fit(np.array([1, 2, 3]))


def test_sparse_input_is_rejected():
    with pytest.raises(TypeError, match="dense data is required"):
        PadTransformer().fit(sp.csr_matrix(np.eye(3)))


def test_empty_input_is_rejected():
    with pytest.raises(ValueError, match="0 sequences"):
        PadTransformer(maxlen=3).fit([])


@pytest.mark.parametrize(
    "params",
    [{"maxlen": 0}, {"padding": "middle"}, {"truncating": "both"}, {"dtype": "str"}],
)
def test_invalid_parameters_raise(params):
    with pytest.raises(ValueError):
        PadTransformer(**params).fit([[1, 2]])


def test_input_is_not_modified():
    sequences = [[1, 2, 3], [4, 5]]
    arrays = [np.array(s) for s in sequences]
    matrix = np.array([[1.0, 2.0], [3.0, 4.0]])
    matrix_copy = matrix.copy()
    PadTransformer(maxlen=1).fit_transform(sequences)
    PadTransformer(maxlen=1).fit_transform(arrays)
    PadTransformer(maxlen=1).fit_transform(matrix)
    assert sequences == [[1, 2, 3], [4, 5]]
    assert [a.tolist() for a in arrays] == sequences
    np.testing.assert_array_equal(matrix, matrix_copy)


def test_feature_names_out_and_pandas_output():
    pad = PadTransformer(maxlen=3).set_output(transform="pandas")
    frame = pad.fit_transform([[1, 2], [3]])
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(pad.get_feature_names_out())
    assert list(frame.columns) == ["padtransformer0", "padtransformer1", "padtransformer2"]
    assert frame.to_numpy().tolist() == [[0, 1, 2], [0, 0, 3]]


def test_clone_and_pipeline():
    pad = PadTransformer(maxlen=2).fit([[1, 2, 3]])
    cloned = clone(pad)
    assert not hasattr(cloned, "maxlen_")
    pipe = make_pipeline(PadTransformer(maxlen=2))
    assert pipe.fit_transform([[1, 2, 3]]).tolist() == [[2, 3]]
