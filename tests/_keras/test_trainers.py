"""Tests of the compiled stand-ins that train small networks (_keras/_trainers.py)."""

import pickle

import keras
import numpy as np
import pytest
from joblib import Parallel, delayed

from sk_embed import SequenceEmbeddingClassifier, SequenceEmbeddingRegressor
from sk_embed._keras import _epochs, _trainers


@pytest.fixture
def cold_cache():
    _trainers.clear_trainers()
    yield
    _trainers.clear_trainers()


def _data(n_samples=90, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randint(1, 30, size=(n_samples, 6))
    y = (X[:, 0] > 15).astype(int)
    return X, y


def _training_state(estimator):
    model = estimator.model_
    return [
        *(np.asarray(w) for w in model.get_weights()),
        *(np.asarray(v) for v in model.optimizer.variables),
        *(np.asarray(v) for v in _trainers.seed_states(model)),
    ]


def _assert_same_state(a, b):
    state_a, state_b = _training_state(a), _training_state(b)
    assert len(state_a) == len(state_b)
    for left, right in zip(state_a, state_b):
        np.testing.assert_array_equal(left, right)


@pytest.mark.parametrize(
    "params, other_width",
    [
        # Flatten has weights for every position: the width stays.
        (dict(dropout=0.3, validation_split=0.2), 6),
        (dict(encoder="gru", encoder_units=4, pooling="average", dropout=0.2), 9),
        (dict(pooling="sqrtn", hidden_units=(), optimizer="lazy_adam"), 3),
        (dict(encoder="transformer", encoder_units=4, pooling="average"), 9),
    ],
)
def test_a_trainer_trains_exactly_as_the_network_itself(
    cold_cache, params, other_width
):
    rng = np.random.RandomState(1)
    X = rng.randint(1, 12, size=(90, 6))  # 12 token ids
    y = (X[:, 0] > 6).astype(int)
    cold = SequenceEmbeddingClassifier(epochs=3, random_state=0, **params).fit(X, y)
    assert len(_trainers._cache) == 1  # kept for the next fit
    _trainers.clear_trainers()
    # Another vocabulary (16 ids) and width leave the trainer's extra rows
    # and its other width behind.
    other = rng.randint(1, 16, size=(50, other_width))
    SequenceEmbeddingClassifier(epochs=1, **params).fit(other, other[:, 0] > 8)
    warm = SequenceEmbeddingClassifier(epochs=3, random_state=0, **params).fit(X, y)

    assert len(_trainers._cache) == 1  # one trainer served both
    assert warm.model_.get_layer("embedding").get_weights()[0].shape[0] == 13
    _assert_same_state(cold, warm)
    assert cold.history_ == warm.history_
    np.testing.assert_array_equal(cold.predict_proba(X), warm.predict_proba(X))
    # The networks are the estimators' own, not the trainer.
    trainer = _trainers._cache[next(iter(_trainers._cache))][0]
    assert warm.model_ is not trainer and warm.model_ is not cold.model_


def test_a_pickled_stream_goes_on_with_the_cached_trainer(cold_cache, monkeypatch):
    X, y = _data()
    stream = SequenceEmbeddingClassifier(random_state=0)
    stream.partial_fit(X, y, classes=[0, 1])
    loaded = pickle.loads(pickle.dumps(stream))
    served = []
    checkout = _trainers._checkout
    monkeypatch.setattr(
        _trainers,
        "_checkout",
        lambda key, rows: served.append(checkout(key, rows)) or served[-1],
    )
    loaded.partial_fit(X, y)
    assert served and served[0] is not None  # not a fit of its own, traced anew
    stream.partial_fit(X, y)
    _assert_same_state(stream, loaded)


def test_the_folds_of_a_search_and_its_refit_share_a_trainer(cold_cache):
    # A cross-validation's folds see fewer ids than the refit on all rows,
    # in either order.
    params = dict(pooling="sqrtn", hidden_units=(), optimizer="lazy_adam", epochs=1)
    rng = np.random.RandomState(0)
    for n_ids in (1000, 820, 850, 1000, 700):
        X = rng.randint(1, n_ids, size=(60, 8))
        SequenceEmbeddingClassifier(**params).fit(X, X[:, 0] % 2)
    assert _trainers._cached_trainers() == 1
    trainer = _trainers._cache[next(iter(_trainers._cache))][0]
    assert _trainers.table_rows(trainer) >= 1.5 * 1000
    # A far smaller vocabulary gets a trainer of its own: copying spare rows
    # costs time too.
    X = rng.randint(1, 100, size=(60, 8))
    SequenceEmbeddingClassifier(**params).fit(X, X[:, 0] % 2)
    assert _trainers._cached_trainers() == 2


def test_a_trainer_vocabulary_has_at_most_one_eighth_more_rows():
    sizes = [_trainers._rounded_up(n) for n in range(1, 20_000)]
    for n, size in enumerate(sizes, start=1):
        assert n <= size <= max(_trainers.MIN_TRAINER_ROWS, n * 9 / 8)
    assert sizes == sorted(sizes)
    assert len(set(sizes)) < 100  # few trainers for many vocabularies


def test_a_clipped_gradient_norm_keeps_the_vocabulary(cold_cache):
    # The norm sums over every row of the table: extra rows would change
    # its last bits, so such networks get a trainer of their own size.
    clipped = keras.optimizers.Adam(clipnorm=1.0)
    for high in (12, 16):
        X = np.random.RandomState(0).randint(1, high, size=(40, 4))
        SequenceEmbeddingClassifier(epochs=1, optimizer=clipped).fit(X, X[:, 0] > 5)
    assert len(_trainers._cache) == 2


def test_networks_too_large_train_on_themselves(cold_cache, monkeypatch):
    monkeypatch.setattr(_trainers, "MAX_TRAINER_PARAMETERS", 10)
    X, y = _data()
    SequenceEmbeddingRegressor(epochs=1, random_state=0).fit(X, y.astype(float))
    assert not _trainers._cache


def test_a_network_gets_a_trainer_from_its_first_fit(cold_cache):
    X, y = _data()
    params = dict(pooling="sqrtn", hidden_units=(), optimizer="lazy_adam", epochs=2)
    first = SequenceEmbeddingClassifier(random_state=0, **params).fit(X, y)
    assert _trainers._cached_trainers() == 1  # the first fit builds it
    SequenceEmbeddingClassifier(random_state=1, **params).fit(X, y)
    again = SequenceEmbeddingClassifier(random_state=0, **params).fit(X, y)
    assert _trainers._cached_trainers() == 1  # which the later ones reuse
    _assert_same_state(first, again)


def test_building_a_trainer_leaves_global_random_state_alone(cold_cache):
    import random

    X, y = _data()
    python_state, numpy_state = random.getstate(), np.random.get_state()
    SequenceEmbeddingClassifier(epochs=1, dropout=0.2, random_state=0).fit(X, y)
    assert len(_trainers._cache) == 1  # a trainer was built
    assert random.getstate() == python_state
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state[1])


def test_other_settings_get_other_trainers(cold_cache):
    X, y = _data()
    SequenceEmbeddingClassifier(epochs=1, random_state=0).fit(X, y)
    SequenceEmbeddingClassifier(epochs=1, random_state=1).fit(X, y)  # same trainer
    assert len(_trainers._cache) == 1
    SequenceEmbeddingClassifier(epochs=1, learning_rate=0.01).fit(X, y)
    SequenceEmbeddingClassifier(epochs=1).fit(X[:, :5], y)  # another width
    SequenceEmbeddingClassifier(epochs=1).fit(X, y, sample_weight=np.ones(len(y)))
    assert len(_trainers._cache) == 4


def test_a_failed_fit_drops_its_trainer_and_leaves_the_network(cold_cache, monkeypatch):
    X, y = _data()
    clf = SequenceEmbeddingClassifier(epochs=2, random_state=0).fit(X, y)
    before = _training_state(clf)

    draw_order = _epochs.EpochOrders.next
    orders_drawn = []

    def interrupt(self):
        orders_drawn.append(None)
        if len(orders_drawn) == 2:
            raise KeyboardInterrupt
        return draw_order(self)

    # Interrupted before its second epoch, after training on the trainer for
    # one (a user's callback would make the network train itself).
    monkeypatch.setattr(_epochs.EpochOrders, "next", interrupt)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    monkeypatch.undo()
    assert not _trainers._cache  # its state is unknown: dropped
    for left, right in zip(before, _training_state(clf)):
        np.testing.assert_array_equal(left, right)

    again = SequenceEmbeddingClassifier(epochs=2, random_state=0).fit(X, y)
    _assert_same_state(clf, again)


@pytest.mark.parametrize("pooling", ["average", "flatten"])
def test_callbacks_see_the_estimators_own_network(cold_cache, tmp_path, pooling):
    X, y = _data()  # 29 token ids: a trainer would have 32 rows and more
    params = dict(pooling=pooling, epochs=2, random_state=0)
    SequenceEmbeddingClassifier(**params).fit(X, y)  # a trainer in the cache
    path = tmp_path / "checkpoint.keras"
    checkpoint = keras.callbacks.ModelCheckpoint(path)
    clf = SequenceEmbeddingClassifier(callbacks=[checkpoint], **params).fit(X, y)
    assert checkpoint.model is clf.model_
    saved = keras.models.load_model(path)
    for layer in ("embedding", "output"):
        for left, right in zip(
            saved.get_layer(layer).get_weights(),
            clf.model_.get_layer(layer).get_weights(),
        ):
            np.testing.assert_array_equal(left, right)
    assert saved.input_shape == clf.model_.input_shape
    # And the same result as a fit on the cached trainer, to the bit.
    _assert_same_state(clf, SequenceEmbeddingClassifier(**params).fit(X, y))


def test_fits_in_threads_train_as_they_do_one_at_a_time(cold_cache):
    X, y = _data()

    def fit(seed):
        return SequenceEmbeddingClassifier(epochs=2, random_state=seed).fit(X, y)

    serial = [fit(seed) for seed in range(4)]
    threaded = Parallel(n_jobs=2, backend="threading")(
        delayed(fit)(seed) for seed in range(4)
    )
    for a, b in zip(serial, threaded):
        _assert_same_state(a, b)


def test_the_cache_is_bounded(cold_cache, monkeypatch):
    X, y = _data()
    small = SequenceEmbeddingClassifier(epochs=1).fit(X, y)
    monkeypatch.setattr(
        _trainers, "MAX_CACHED_PARAMETERS", 2 * small.model_.count_params()
    )
    for width in (6, 5, 4, 3):
        SequenceEmbeddingClassifier(epochs=1).fit(X[:, :width], y)
    assert _trainers._cached_parameters() <= 2 * small.model_.count_params()
    assert len(_trainers._cache) == 2


def test_a_cached_trainer_survives_keras_clear_session(cold_cache):
    X, y = _data()
    params = dict(epochs=2, dropout=0.2, random_state=0)
    before = SequenceEmbeddingClassifier(**params).fit(X, y)
    keras.backend.clear_session()
    after = SequenceEmbeddingClassifier(**params).fit(X, y)
    assert len(_trainers._cache) == 1
    _assert_same_state(before, after)


def test_the_number_of_cached_trainers_is_bounded(cold_cache, monkeypatch):
    monkeypatch.setattr(_trainers, "MAX_CACHED_TRAINERS", 2)
    X, y = _data()
    for width in (6, 5, 4):
        SequenceEmbeddingClassifier(epochs=1).fit(X[:, :width], y)
    assert _trainers._cached_trainers() == 2
    # The least recently used (width 6) went first.
    widths = {
        trainer.input_shape[1] for idle in _trainers._cache.values() for trainer in idle
    }
    assert widths == {5, 4}


@pytest.mark.parametrize("trains_itself", [False, True])
def test_a_trial_leaves_the_network_as_it_was(cold_cache, monkeypatch, trains_itself):
    # The epoch choice trains on most rows and then fits the network it
    # was given, as built, on all of them.
    if trains_itself:
        monkeypatch.setattr(_trainers, "MAX_TRAINER_PARAMETERS", 10)
    X, y = _data()
    params = dict(pooling="sqrtn", hidden_units=(), optimizer="lazy_adam", dropout=0.3)
    clf = SequenceEmbeddingClassifier(epochs=2, random_state=0, **params).fit(X, y)
    before = _training_state(clf)
    seen = []
    clf._train(
        X, y, None, clf._draw_seeds()[1:], 2, trial=True,
        on_epoch_end=lambda trained: seen.append(trained.get_weights()[0].copy()),
    )  # fmt: skip
    assert len(seen) == 2 and not np.array_equal(seen[0], seen[1])  # it trained
    for left, right in zip(before, _training_state(clf)):
        np.testing.assert_array_equal(left, right)
    assert bool(_trainers._cache) is not trains_itself
