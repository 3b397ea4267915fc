import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import make_token_data
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sk_embed import SequenceEmbeddingClassifier


def test_default_network_is_the_seed_model(token_data):
    X, y = token_data
    clf = SequenceEmbeddingClassifier(vocab_size=10_000, epochs=1).fit(X, y)
    layers = clf.model_.layers[1:]
    kinds = (keras.layers.Embedding, keras.layers.Flatten, keras.layers.Dense)
    assert [type(layer).__name__ for layer in layers[1:]] == ["Flatten", "Dense", "Dense"]
    # Keras' Embedding, looking its rows up in the table variable itself.
    assert all(map(isinstance, layers, (*kinds, keras.layers.Dense)))
    # One extra row receives out-of-vocabulary ids.
    assert layers[0].input_dim == 10_001 and layers[0].output_dim == 8
    assert layers[2].units == 32 and layers[2].activation.__name__ == "relu"
    assert layers[3].units == 1 and layers[3].activation.__name__ == "sigmoid"
    assert isinstance(clf.model_.optimizer, keras.optimizers.RMSprop)
    assert clf.model_.loss == "binary_crossentropy"
    assert len(clf.history_["loss"]) == 1


def test_learns_binary_string_labels(fitted_classifier, token_data):
    X, y = token_data
    labels = np.array(["neg", "pos"])[y]
    assert fitted_classifier.classes_.tolist() == ["neg", "pos"]
    assert fitted_classifier.score(X, labels) > 0.9
    proba = fitted_classifier.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(fitted_classifier.predict(X)) <= {"neg", "pos"}
    assert fitted_classifier.vocab_size_ == X.max() + 1
    assert fitted_classifier.n_features_in_ == X.shape[1]


def test_multiclass_uses_softmax():
    X, y = make_token_data(n_samples=300, n_classes=3)
    clf = SequenceEmbeddingClassifier(epochs=20, random_state=0).fit(X, y + 10)
    assert clf.classes_.tolist() == [10, 11, 12]
    assert clf.model_.layers[-1].units == 3
    assert clf.model_.loss == "sparse_categorical_crossentropy"
    assert clf.predict_proba(X).shape == (300, 3)
    assert clf.score(X, y + 10) > 0.85


def test_history_records_validation_metrics(token_data):
    X, y = token_data
    clf = SequenceEmbeddingClassifier(epochs=3, validation_split=0.25, random_state=0)
    clf.fit(X, y)
    assert set(clf.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in clf.history_.values())


def test_callbacks_are_honoured(token_data):
    X, y = token_data

    class StopAtOnce(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    clf = SequenceEmbeddingClassifier(epochs=10, callbacks=[StopAtOnce()])
    clf.fit(X, y)
    assert len(clf.history_["loss"]) == 1


def test_learning_rate_and_optimizer_instances(token_data):
    X, y = token_data
    optimizer = keras.optimizers.Adam(learning_rate=0.5)
    clf = SequenceEmbeddingClassifier(
        optimizer=optimizer, learning_rate=0.02, epochs=1
    ).fit(X, y)
    assert isinstance(clf.model_.optimizer, keras.optimizers.Adam)
    assert clf.model_.optimizer is not optimizer
    assert np.isclose(float(clf.model_.optimizer.learning_rate), 0.02)
    assert optimizer.get_config()["learning_rate"] == 0.5  # caller's untouched


def test_unknown_optimizer_raises_clearly(token_data):
    X, y = token_data
    with pytest.raises(ValueError, match="Unknown optimizer 'sgdx'"):
        SequenceEmbeddingClassifier(optimizer="sgdx").fit(X, y)


def test_class_weight_shifts_predictions(token_data):
    X, y = token_data
    weighted = SequenceEmbeddingClassifier(
        epochs=3, class_weight={0: 100.0, 1: 0.01}, random_state=0
    ).fit(X, y)
    assert np.mean(weighted.predict(X) == 0) > 0.9


def test_ids_beyond_vocabulary_use_the_oov_row(token_data):
    X, y = token_data
    clf = SequenceEmbeddingClassifier(epochs=2, random_state=0).fit(X, y)
    huge = X.copy()
    huge[:, 0] = 10**9
    at_limit = X.copy()
    at_limit[:, 0] = clf.vocab_size_  # the OOV row itself
    np.testing.assert_array_equal(clf.predict_proba(huge), clf.predict_proba(at_limit))


def test_explicit_vocab_size_maps_larger_training_ids_to_oov(token_data):
    X, y = token_data
    clf = SequenceEmbeddingClassifier(vocab_size=10, epochs=1).fit(X, y)
    assert clf.vocab_size_ == 10
    assert clf.model_.layers[1].input_dim == 11


def test_whole_number_floats_are_accepted(token_data):
    X, y = token_data
    clf = SequenceEmbeddingClassifier(epochs=1, random_state=0)
    a = clf.fit(X, y).predict_proba(X)
    b = clf.fit(X.astype(float), y).predict_proba(X.astype(float))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("where", ["fit", "predict"])
def test_negative_ids_raise_naming_the_value(fitted_classifier, token_data, where):
    X, y = token_data
    bad = X.copy()
    bad[3, 4] = -7
    with pytest.raises(ValueError, match="token id -7 at row 3, column 4"):
        if where == "fit":
            SequenceEmbeddingClassifier().fit(bad, y)
        else:
            fitted_classifier.predict(bad)


def test_negative_fraction_is_not_truncated_to_padding(token_data):
    X, y = token_data
    bad = X.astype(float)
    bad[0, 0] = -0.5
    with pytest.raises(ValueError, match="-0.5"):
        SequenceEmbeddingClassifier().fit(bad, y)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_values_raise(fitted_classifier, token_data, value):
    X, y = token_data
    bad = X.astype(float)
    bad[1, 1] = value
    with pytest.raises(ValueError, match="NaN|infinity"):
        SequenceEmbeddingClassifier().fit(bad, y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted_classifier.predict_proba(bad)


def test_raw_strings_tell_the_user_to_tokenize(fitted_classifier):
    texts = ["a great movie", "a dull movie"]
    for call in (
        lambda: SequenceEmbeddingClassifier().fit(texts, [0, 1]),
        lambda: fitted_classifier.predict(texts),
        lambda: fitted_classifier.predict(pd.Series(texts)),
        lambda: fitted_classifier.predict([["great"], ["dull"]]),
    ):
        with pytest.raises(TypeError, match="tokenize and pad"):
            call()


def test_ragged_sequences_tell_the_user_to_pad(token_data):
    with pytest.raises(ValueError, match="PadTransformer"):
        SequenceEmbeddingClassifier().fit([[1, 2, 3], [4, 5]], [0, 1])


def test_wrong_width_at_predict(fitted_classifier, token_data):
    X, _ = token_data
    with pytest.raises(ValueError, match="X has 5 features.*expecting 10"):
        fitted_classifier.predict(X[:, :5])


def test_empty_data_raises(token_data):
    X, y = token_data
    with pytest.raises(ValueError, match="0 sample"):
        SequenceEmbeddingClassifier().fit(X[:0], y[:0])


def test_sparse_input_raises(token_data):
    X, y = token_data
    with pytest.raises(TypeError, match="dense data is required"):
        SequenceEmbeddingClassifier().fit(sp.csr_matrix(X), y)


def test_single_class_raises(token_data):
    X, _ = token_data
    with pytest.raises(ValueError, match="at least 2 classes"):
        SequenceEmbeddingClassifier().fit(X, np.zeros(len(X)))


def test_validation_rows_are_drawn_from_both_classes(token_data):
    # Rows sorted by label: a tail split (Keras' rule) would train on
    # class 0 only and predict it everywhere.
    X, y = token_data
    order = np.argsort(y, kind="stable")
    clf = SequenceEmbeddingClassifier(
        epochs=15, validation_split=0.5, random_state=0
    ).fit(X[order], y[order])
    # About 0.8 here; predicting one class everywhere scores about 0.5.
    assert clf.score(X, y) > 0.7
    assert clf.history_["val_accuracy"][-1] > 0.65


def test_too_large_validation_split_raises(token_data):
    X, y = token_data
    with pytest.raises(ValueError, match="leaves no training sample"):
        SequenceEmbeddingClassifier(validation_split=0.999).fit(X[:10], y[:10])


def test_unfitted_predict_raises(token_data):
    with pytest.raises(NotFittedError):
        SequenceEmbeddingClassifier().predict(token_data[0])


def test_caller_arrays_are_not_modified(token_data):
    X, y = token_data
    X_big = X.copy()
    X_big[0, 0] = 10_000  # beyond vocab_size: clipped internally only
    X_before, y_before = X_big.copy(), y.copy()
    weights = np.ones(len(y))
    clf = SequenceEmbeddingClassifier(
        vocab_size=50, epochs=1, class_weight={0: 2.0, 1: 1.0}
    )
    clf.fit(X_big, y, sample_weight=weights)
    clf.predict(X_big)
    np.testing.assert_array_equal(X_big, X_before)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(weights, 1.0)


def test_clone_of_fitted_is_unfitted(fitted_classifier):
    cloned = clone(fitted_classifier)
    assert cloned.get_params() == fitted_classifier.get_params()
    assert not hasattr(cloned, "model_")
    with pytest.raises(NotFittedError):
        cloned.predict(np.ones((1, 10), dtype=int))


def test_failed_refit_keeps_previous_model(token_data):
    X, y = token_data
    clf = SequenceEmbeddingClassifier(epochs=1, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    model = clf.model_

    def explode(epoch, logs):
        raise KeyboardInterrupt

    clf.set_params(callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=explode)])
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X[:, :5], y)
    assert clf.model_ is model
    assert clf.n_features_in_ == 10
    np.testing.assert_array_equal(clf.predict_proba(X), before)
