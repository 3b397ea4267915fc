"""Multi-label targets: a 2-D indicator matrix, one sigmoid output per label."""

import pickle

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_token_data
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from sk_embed import (
    PadTransformer,
    SequenceEmbeddingClassifier,
    SequenceTokenizer,
    make_text_classifier,
)


#: Enough to learn the three labels of ``_token_labels`` (0.98 subset accuracy).
TAGGER_PARAMS = dict(
    epochs=10, learning_rate=0.01, validation_split=0.2, random_state=0
)


def _token_labels(X):
    """Three labels, each decided by one token of the row."""
    return np.column_stack([X[:, -1] >= 25, X[:, 0] >= 25, X[:, 1] >= 40]).astype(int)


@pytest.fixture(scope="module")
def token_tags():
    X, _ = make_token_data()
    return X, _token_labels(X)


@pytest.fixture(scope="module")
def fitted_tagger(token_tags):
    X, Y = token_tags
    return SequenceEmbeddingClassifier(**TAGGER_PARAMS).fit(X, Y)


def test_indicator_matrix_trains_one_sigmoid_per_label(fitted_tagger, token_tags):
    X, Y = token_tags
    output = fitted_tagger.model_.layers[-1]
    assert output.units == 3 and output.activation.__name__ == "sigmoid"
    assert fitted_tagger.model_.loss == "binary_crossentropy"
    np.testing.assert_array_equal(fitted_tagger.classes_, [0, 1, 2])
    assert fitted_tagger.n_classes_ == 3
    assert set(fitted_tagger.history_) == {
        "loss", "binary_accuracy", "val_loss", "val_binary_accuracy"
    }  # fmt: skip

    proba = fitted_tagger.predict_proba(X)
    predicted = fitted_tagger.predict(X)
    assert proba.shape == predicted.shape == Y.shape
    assert ((proba > 0) & (proba < 1)).all()
    # Labels are independent: a row's probabilities need not sum to 1.
    assert not np.allclose(proba.sum(axis=1), 1.0)
    assert predicted.dtype.kind == "i"
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    # score is the subset accuracy: every label of a row must be right.
    score = fitted_tagger.score(X, Y)
    assert score == accuracy_score(Y, predicted)
    assert score > 0.8


def test_tagger_survives_pickling(fitted_tagger, token_tags):
    X, _ = token_tags
    restored = pickle.loads(pickle.dumps(fitted_tagger))
    np.testing.assert_array_equal(restored.predict(X), fitted_tagger.predict(X))


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
def test_sparse_indicator_gives_sparse_predictions(
    container, fitted_tagger, token_tags
):
    X, Y = token_tags
    tagger = SequenceEmbeddingClassifier(**TAGGER_PARAMS).fit(X, container(Y))
    predicted = tagger.predict(X)
    assert type(predicted) is container
    np.testing.assert_array_equal(predicted.toarray(), fitted_tagger.predict(X))
    assert tagger.score(X, container(Y)) == fitted_tagger.score(X, Y)


def test_two_labels_are_not_two_classes(token_tags):
    # Two label columns: two sigmoid outputs, not the binary one-output model.
    X, Y = token_tags
    tagger = SequenceEmbeddingClassifier(epochs=1, random_state=0).fit(X, Y[:, :2])
    assert tagger.model_.layers[-1].units == 2
    np.testing.assert_allclose(
        tagger.predict_proba(X), tagger.model_(X, training=False), rtol=1e-6
    )
    assert tagger.predict(X).shape == (len(X), 2)


def test_class_weight_is_rejected(token_tags):
    X, Y = token_tags
    clf = SequenceEmbeddingClassifier(class_weight="balanced")
    with pytest.raises(ValueError, match="not defined for a multi-label target"):
        clf.fit(X, Y)


@pytest.mark.parametrize("scale, shift", [(2, 0), (2, -1)])
def test_indicator_values_other_than_0_and_1_raise(token_tags, scale, shift):
    X, Y = token_tags
    with pytest.raises(ValueError, match="indicator matrix of 0 and 1"):
        SequenceEmbeddingClassifier().fit(X, Y * scale + shift)


def test_multiclass_multioutput_raises(token_tags):
    X, Y = token_tags
    Y = np.array(["a", "b", "c"])[Y + Y[:, [0]]]
    with pytest.raises(ValueError, match="MultiOutputClassifier"):
        SequenceEmbeddingClassifier().fit(X, Y)


# -- From raw text ---------------------------------------------------------------
TOPICS = {
    "sport": ["football", "match", "goal", "team"],
    "food": ["pizza", "pasta", "dinner", "recipe"],
    "tech": ["computer", "phone", "software", "chip"],
}


def _tagged_texts(n_texts=150, seed=0):
    """Short texts about one or two topics, with the topics as tags."""
    rng = np.random.RandomState(seed)
    names = sorted(TOPICS)
    filler = ["the", "a", "today", "really", "new", "my", "and"]
    texts, tags = [], []
    for _ in range(n_texts):
        topics = list(rng.choice(names, size=rng.randint(1, 3), replace=False))
        words = [rng.choice(TOPICS[topic]) for topic in topics for _ in range(2)]
        words += list(rng.choice(filler, size=3))
        texts.append(" ".join(rng.permutation(words)))
        tags.append(topics)
    return texts, tags


def _text_tagger():
    return make_pipeline(
        SequenceTokenizer(),
        PadTransformer(maxlen=8),
        SequenceEmbeddingClassifier(
            pooling="average", hidden_units=(), learning_rate=0.05, epochs=10,
            random_state=0,
        ),
    )  # fmt: skip


def test_pipeline_tags_raw_text_with_binarized_labels():
    texts, tags = _tagged_texts()
    binarizer = MultiLabelBinarizer(sparse_output=True)
    Y = binarizer.fit_transform(tags)
    pipe = _text_tagger().fit(texts, Y)
    predicted = pipe.predict(["goal for my team", "pizza on my new phone"])
    assert binarizer.inverse_transform(predicted) == [
        ("sport",),
        ("food", "tech"),
    ]
    assert pipe.score(texts, Y) > 0.9


def test_grid_search_with_a_multilabel_scorer():
    # The last token alone shows at most one of a text's topics.
    texts, tags = _tagged_texts(n_texts=120)
    Y = MultiLabelBinarizer().fit_transform(tags)
    search = GridSearchCV(
        _text_tagger(),
        {"padtransformer__maxlen": [1, 8]},
        scoring="f1_samples",
        cv=2,
        refit=False,
    ).fit(texts, Y)
    last_token, whole_text = search.cv_results_["mean_test_score"]
    assert whole_text > 0.9 > last_token
    assert search.best_params_ == {"padtransformer__maxlen": 8}


def test_make_text_classifier_tags_with_early_stopping():
    # A validation split (drawn unstratified: a multi-label target has no
    # classes) and early stopping both run on the multi-label target.
    texts, tags = _tagged_texts()
    Y = MultiLabelBinarizer().fit_transform(tags)
    stopper = keras.callbacks.EarlyStopping(patience=1, restore_best_weights=True)
    pipe = make_text_classifier(
        epochs=5, batch_size=16, learning_rate=0.1, validation_split=0.1,
        callbacks=[stopper], random_state=0,
    ).fit(texts, Y)
    clf = pipe.named_steps["sequenceembeddingclassifier"]
    assert "val_binary_accuracy" in clf.history_
    assert pipe.predict_proba(texts[:5]).shape == (5, 3)
    assert pipe.score(texts, Y) > 0.8
