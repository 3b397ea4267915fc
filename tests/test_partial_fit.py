"""partial_fit: streaming training of the classifier and the regressor."""

import pickle

import keras
import numpy as np
import pytest
from conftest import make_token_data
from sklearn.base import clone

from sk_embed import SequenceEmbeddingClassifier, SequenceEmbeddingRegressor

#: Tiny networks: these tests check the training plumbing, not accuracy.
SMALL = dict(embedding_dim=4, hidden_units=(8,), batch_size=16)


@pytest.fixture(scope="module")
def stream():
    """Three batches of 40 rows of 6 ids in 1..49, in 3 classes."""
    X, y = make_token_data(n_samples=120, length=6, n_classes=3)
    return [(X[i : i + 40], y[i : i + 40]) for i in range(0, 120, 40)]


def _classifier(**params):
    return SequenceEmbeddingClassifier(**{**SMALL, "random_state": 0, **params})


def _regressor(**params):
    return SequenceEmbeddingRegressor(**{**SMALL, "random_state": 0, **params})


def _feed(estimator, batches, classes=(0, 1, 2)):
    for X, y in batches:
        if isinstance(estimator, SequenceEmbeddingClassifier):
            estimator.partial_fit(X, y, classes=classes)
        else:
            estimator.partial_fit(X, y / 10.0)
    return estimator


def _weights(estimator):
    return [w.copy() for w in estimator.model_.get_weights()]


def _assert_same_weights(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_calls_continue_one_model_and_its_optimizer_reproducibly(stream):
    epochs_seen = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: epochs_seen.append(epoch)
    )
    clf = _classifier(callbacks=[record]).partial_fit(*stream[0], classes=[0, 1, 2])
    model = clf.model_
    assert model.optimizer.iterations.numpy() == 3  # 40 rows in batches of 16
    _feed(clf, stream[1:], classes=None)
    assert clf.model_ is model and model.optimizer.iterations.numpy() == 9
    assert epochs_seen == [0, 1, 2]  # Keras numbers the epochs on
    assert [len(values) for values in clf.history_.values()] == [3, 3]
    assert clf.n_features_in_ == 6 and clf.vocab_size_ == stream[0][0].max() + 1
    # The same calls from the same seed give the same model.
    twin = _feed(_classifier(), stream)
    X = stream[0][0]
    np.testing.assert_array_equal(twin.predict_proba(X), clf.predict_proba(X))
    assert twin.history_ == clf.history_


def test_regressor_holds_out_part_of_each_batch(stream):
    reg = _feed(_regressor(validation_split=0.25), stream[:2])
    assert set(reg.history_) == {
        "loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error"
    }  # fmt: skip
    assert all(len(values) == 2 for values in reg.history_.values())
    assert reg.predict(stream[0][0]).shape == (40,)


def test_first_call_is_one_epoch_of_fit(stream):
    X, y = stream[0]
    fitted = _classifier(epochs=1).fit(X, y)
    streamed = _classifier().partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(streamed.predict_proba(X), fitted.predict_proba(X))
    assert streamed.history_ == fitted.history_


def test_fit_starts_afresh_and_partial_fit_continues_fit(stream):
    X, y = stream[0]
    clf = _feed(_classifier(epochs=2), stream)
    model = clf.model_
    clf.fit(X, y)
    assert clf.model_ is not model
    assert len(clf.history_["loss"]) == clf.epochs
    clf.partial_fit(*stream[1])  # classes_ come from fit
    assert len(clf.history_["loss"]) == clf.epochs + 1


def test_a_batch_may_lack_classes(stream):
    names = np.array(["neg", "neutral", "pos"])
    X, y = stream[0]
    weights = np.ones(len(y))
    X_before, y_before = X.copy(), y.copy()
    clf = _classifier(class_weight={"neg": 1.0, "neutral": 2.0, "pos": 1.0})
    first = y == 0
    clf.partial_fit(X[first], names[y[first]], classes=names[::-1])
    assert clf.classes_.tolist() == names.tolist() and clf.n_classes_ == 3
    assert clf.model_.get_layer("output").units == 3
    clf.partial_fit(X, names[y], sample_weight=weights)
    assert clf.predict_proba(X).shape == (len(X), 3)
    assert set(clf.predict(X)) <= set(names)
    # Nothing passed in is modified (scikeras multiplies class weights
    # into sample_weight in place).
    np.testing.assert_array_equal(weights, 1.0)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_classes_are_required_on_the_first_call(stream):
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        _classifier().partial_fit(*stream[0])


def test_bad_calls_raise_and_leave_the_model(stream):
    clf = _feed(_classifier(), stream[:1])
    weights, history = _weights(clf), clf.history_
    X, y = stream[1]
    bad_calls = [
        (X, y, [0, 1, 2, 3], "classes=\\[0, 1, 2, 3\\] differs .* \\[0, 1, 2\\]"),
        (X[:2], [0, 7], None, "labels that are not in classes: \\[7\\]"),
        (X[:2], ["a", "b"], None, "Mix of label input types"),
        (X[:, :5], y, None, "X has 5 features, but .* expecting 6"),
    ]
    for X_bad, y_bad, classes, message in bad_calls:
        with pytest.raises(ValueError, match=message):
            clf.partial_fit(X_bad, y_bad, classes=classes)
        _assert_same_weights(_weights(clf), weights)
        assert clf.history_ == history and clf.classes_.tolist() == [0, 1, 2]
        assert clf.n_features_in_ == 6
    clf.partial_fit(X, y, classes=[2, 0, 1])  # the same classes again are fine
    assert len(clf.history_["loss"]) == 2


def test_single_class_balanced_weights_and_multilabel_are_refused(stream):
    X, y = stream[0]
    with pytest.raises(ValueError, match="at least 2 classes"):
        _classifier().partial_fit(X, np.zeros(len(X)), classes=[0])
    Y = np.column_stack([y == 0, y == 1]).astype(int)
    with pytest.raises(ValueError, match="multi-label indicator matrix is trained"):
        _classifier().partial_fit(X, Y, classes=[0, 1])
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        _classifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_ids_beyond_the_first_vocabulary_share_the_oov_row(stream):
    X, y = stream[0]
    clf = _classifier().partial_fit(X, y, classes=[0, 1, 2])
    assert clf.vocab_size_ == X.max() + 1  # fixed by the first batch
    huge, at_limit = X.copy(), X.copy()
    huge[:, 0] = 2**40
    at_limit[:, 0] = clf.vocab_size_
    twin = clone(clf).partial_fit(X, y, classes=[0, 1, 2])
    clf.partial_fit(huge, y)
    twin.partial_fit(at_limit, y)
    assert clf.vocab_size_ == twin.vocab_size_ == X.max() + 1
    np.testing.assert_array_equal(
        clf.predict_proba(huge), twin.predict_proba(at_limit)
    )


def test_a_pickled_stream_continues_as_if_never_saved(stream):
    params = dict(dropout=0.3, optimizer="adam")
    uninterrupted = _feed(_classifier(**params), stream)
    saved = pickle.dumps(_feed(_classifier(**params), stream[:2]))
    resumed = pickle.loads(saved)
    # Unlike fit's, a streamed model's pickle keeps its optimizer's state.
    assert resumed.model_.optimizer.iterations.numpy() == 6
    _feed(resumed, stream[2:])
    X = stream[0][0]
    np.testing.assert_array_equal(
        resumed.predict_proba(X), uninterrupted.predict_proba(X)
    )
    assert resumed.history_ == uninterrupted.history_


def _text_stream_pipeline():
    from sk_embed import HashingSequenceTokenizer, PadTransformer

    tokenizer = HashingSequenceTokenizer(n_buckets=2**10)
    classifier = _classifier(vocab_size=tokenizer.vocab_size)
    return tokenizer, PadTransformer(maxlen=8), classifier


def _stream_texts(chunks):
    tokenizer, padder, clf = _text_stream_pipeline()
    for texts, labels in chunks:
        X = padder.fit_transform(tokenizer.transform(list(texts)))
        clf.partial_fit(X, np.asarray(labels), classes=["bad", "good"])
    return clf, padder.transform(tokenizer.transform(["good fun", "bad dull"]))


def test_dask_bag_partitions_stream_like_chunks_of_a_list():
    dask_bag = pytest.importorskip("dask.bag")  # the distributed extra
    words = {"good": ["good", "fun", "great"], "bad": ["bad", "dull", "awful"]}
    rng = np.random.RandomState(0)
    labels = rng.choice(["bad", "good"], size=60)
    texts = [" ".join(rng.choice(words[label], size=4)) for label in labels]
    records = list(zip(texts, labels))
    chunks = [tuple(zip(*records[i : i + 20])) for i in range(0, 60, 20)]

    from_list, new_rows = _stream_texts(chunks)
    bag = dask_bag.from_sequence(records, npartitions=3)
    from_bag, _ = _stream_texts(
        zip(*partition.compute()) for partition in bag.to_delayed()
    )
    assert bag.npartitions == 3
    assert len(from_bag.history_["loss"]) == 3
    np.testing.assert_array_equal(
        from_bag.predict_proba(new_rows), from_list.predict_proba(new_rows)
    )


@pytest.mark.parametrize(
    "n_samples, expected", [(100, 32), (3_000, 64), (8_000, 128), (25_000, 512)]
)
def test_auto_batch_size_gives_about_50_steps_per_epoch(n_samples, expected):
    from sk_embed._auto import resolve_batch_size

    assert resolve_batch_size("auto", n_samples) == expected
    assert resolve_batch_size(64, n_samples) == 64


def test_auto_batch_size_of_a_stream_is_the_large_data_batch(stream):
    # A stream's size is unknown: not the 32 its 40-row batches would give.
    clf = _feed(_classifier(batch_size="auto"), stream[:1])
    assert clf.batch_size_ == 512
    assert _feed(_classifier(), stream[:1]).batch_size_ == SMALL["batch_size"]
