"""The "auto" settings: each rule, and the values a fit records."""

import numpy as np
import pytest

from sk_embed import SequenceEmbeddingClassifier
from sk_embed._auto import (
    chooses_epochs,
    resolve_dropout,
    resolve_embedding_dim,
    resolve_epochs,
)
from conftest import make_token_data


@pytest.mark.parametrize(
    "n_outputs, expected",
    # A binary target has one output unit.
    [(1, 16), (5, 16), (8, 16), (9, 32), (20, 64), (33, 128), (77, 128), (500, 128)],
)
def test_auto_width_gives_two_numbers_per_output(n_outputs, expected):
    assert resolve_embedding_dim("auto", n_outputs) == expected
    assert resolve_embedding_dim(12, n_outputs) == 12


@pytest.mark.parametrize(
    "positives_per_label, expected",
    # NLU++ banking's 48 labels have about 80 positive turns each.
    [(None, 4), (0, 32), (20, 32), (80, 16), (150, 8), (200, 4), (12_500, 4)],
)
def test_auto_budget_of_rare_labels_is_longer(positives_per_label, expected):
    assert resolve_epochs("auto", positives_per_label) == expected
    assert resolve_epochs(3, positives_per_label) == 3


def test_auto_dropout_is_lower_for_several_outputs():
    assert resolve_dropout("auto", 1) == 0.5
    assert resolve_dropout("auto", 3) == resolve_dropout("auto", 48) == 0.25
    assert resolve_dropout(0.0, 48) == 0.0


def _auto(**params):
    settings = dict(
        embedding_dim="auto", dropout="auto", epochs="auto", pooling="average",
        hidden_units=(), random_state=0,
    )  # fmt: skip
    return SequenceEmbeddingClassifier(**{**settings, **params})


def test_a_binary_fit_keeps_the_tuned_values():
    X, y = make_token_data(n_samples=100)
    clf = _auto().fit(X, y)
    assert (clf.embedding_dim_, clf.epochs_, clf.dropout_) == (16, 4, 0.5)


def test_a_fit_records_the_auto_values_of_many_classes():
    X, y = make_token_data(n_samples=200, n_classes=20)
    clf = _auto().fit(X, y)
    assert (clf.embedding_dim_, clf.epochs_, clf.dropout_) == (64, 4, 0.25)
    assert clf.model_.get_layer("embedding").output_dim == 64
    assert len(clf.history_["loss"]) == 4
    # The parameters themselves are left as given.
    assert clf.get_params()["embedding_dim"] == "auto"


def test_a_fit_records_the_auto_values_of_labels():
    X, y = make_token_data(n_samples=120)
    # Labels of 60 positive rows on average.
    Y = np.column_stack([y, 1 - y, X[:, 0] % 2])
    clf = _auto().fit(X, Y)
    assert (clf.embedding_dim_, clf.epochs_, clf.dropout_) == (16, 16, 0.25)
    assert len(clf.history_["loss"]) == 16


def test_partial_fit_takes_the_width_from_the_classes():
    X, y = make_token_data(n_samples=60, n_classes=3)
    classes = np.arange(20)  # more than the batch holds
    clf = _auto().partial_fit(X, y, classes=classes)
    assert clf.embedding_dim_ == 64
    assert clf.dropout_ == 0.25
    assert not hasattr(clf, "epochs_")


def test_given_embeddings_set_the_width():
    X, y = make_token_data(n_samples=100, n_classes=20)
    vectors = np.random.RandomState(0).normal(size=(50, 6)).astype("float32")
    clf = _auto(embeddings=vectors).fit(X, y)
    assert clf.embedding_dim_ == 6


@pytest.mark.parametrize("name", ["embedding_dim", "epochs", "dropout"])
def test_only_auto_is_a_valid_word(name):
    X, y = make_token_data(n_samples=20)
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        SequenceEmbeddingClassifier(**{name: "wide"}).fit(X, y)


def test_labels_start_at_their_base_rates():
    X, _ = make_token_data(n_samples=200)
    rng = np.random.RandomState(0)
    Y = (rng.uniform(size=(200, 3)) < [0.05, 0.5, 0.9]).astype(int)
    # Untrained but for one step of a vanishing rate: the starting outputs.
    clf = _auto(epochs=1, learning_rate=1e-12).fit(X, Y)
    expected = (Y.sum(axis=0) + 1) / (len(Y) + 2)
    np.testing.assert_allclose(clf.predict_proba(X).mean(axis=0), expected, atol=0.01)
    # Class labels keep Keras' zero bias.
    clf = _auto(epochs=1, learning_rate=1e-12).fit(X, Y[:, 2])
    np.testing.assert_allclose(clf.predict_proba(X).mean(axis=0), 0.5, atol=0.01)


def _noisy_texts(n_samples, noise, seed=0):
    """Texts of eight words drawn from 4,000, most of them seen in few
    texts, labelled by whether they hold "good" (half of them do), the
    label flipped on a ``noise`` share of the rows: the n-grams of each
    text are enough to memorise its label, right or wrong."""
    rng = np.random.RandomState(seed)
    words = np.array([f"w{i}" for i in range(4000)])
    y = rng.randint(2, size=n_samples)
    texts = []
    for label in y:
        text = list(rng.choice(words, size=8))
        if label:
            text[rng.randint(8)] = "good"
        texts.append(" ".join(text))
    flipped = rng.rand(n_samples) < noise
    return texts, np.where(flipped, 1 - y, y)


def test_auto_epochs_follow_the_data():
    from sk_embed import make_text_classifier

    # Noisy labels: four epochs memorise the wrong ones, and the held-out
    # rows say so.
    texts, y = _noisy_texts(2000, noise=0.3)
    noisy = make_text_classifier(random_state=0).fit(texts, y)[-1]
    losses = noisy.held_out_loss_
    assert noisy.epochs_ < 4
    assert noisy.epochs_ == int(np.argmin(losses)) + 1
    # Stopped one epoch after the lowest loss, which rose.
    assert len(losses) == noisy.epochs_ + 1 and losses[-1] > min(losses)
    assert len(noisy.history_["loss"]) == noisy.epochs_
    # Clean labels keep the four epochs.
    texts, y = _noisy_texts(2000, noise=0.0)
    clean = make_text_classifier(random_state=0).fit(texts, y)[-1]
    assert clean.epochs_ == 4 and len(clean.held_out_loss_) == 4


def test_the_fit_after_the_epoch_choice_is_a_fit_of_that_many_epochs():
    from sk_embed import make_text_classifier

    texts, y = _noisy_texts(1500, noise=0.3, seed=1)
    chosen = make_text_classifier(random_state=0).fit(texts, y)
    epochs = chosen[-1].epochs_
    fixed = make_text_classifier(epochs=epochs, random_state=0).fit(texts, y)
    assert fixed[-1].held_out_loss_ is None
    np.testing.assert_allclose(
        chosen.predict_proba(texts[:200]), fixed.predict_proba(texts[:200]),
        rtol=0, atol=1e-6,
    )  # fmt: skip


def test_few_rows_or_fixed_epochs_skip_the_epoch_choice():
    X, y = make_token_data(n_samples=200, n_classes=3)
    clf = _auto().fit(X, y)  # 20 held-out rows would be too few
    assert clf.epochs_ == 4 and clf.held_out_loss_ is None


def test_the_epoch_choice_needs_class_labels_rows_and_a_bounded_cost():
    assert chooses_epochs("auto", None, 1000, 50_000)
    assert not chooses_epochs(4, None, 1000, 50_000)  # fixed epochs
    assert not chooses_epochs("auto", 80.0, 1000, 50_000)  # labels
    assert not chooses_epochs("auto", None, 990, 50_000)  # 99 held out
    # IMDB's 25,000 reviews hold 9.8 million ids: four epochs, no choice.
    assert not chooses_epochs("auto", None, 25_000, 9_800_000)


@pytest.mark.parametrize(
    "encoder",
    [
        dict(encoder="conv1d", pooling="max"),
        # Its softmax pads each row to whole SIMD registers, which needs a
        # known width: the held-out rows are scored at the network's own.
        dict(encoder="transformer", pooling="average", encoder_units=8),
        dict(encoder="gru", pooling="average", encoder_units=4),
    ],
)
def test_the_epoch_choice_of_an_encoder(encoder):
    from sk_embed import make_text_classifier

    texts, y = _noisy_texts(1200, noise=0.3, seed=2)
    pipe = make_text_classifier(random_state=0, **encoder)
    clf = pipe.fit(texts, y)[-1]
    assert 1 <= clf.epochs_ <= 4 and len(clf.held_out_loss_) >= clf.epochs_
    again = make_text_classifier(random_state=0, epochs=clf.epochs_, **encoder)
    np.testing.assert_array_equal(
        pipe.predict_proba(texts[:50]), again.fit(texts, y).predict_proba(texts[:50])
    )


def test_the_epoch_choice_is_the_same_through_keras_fit(monkeypatch):
    from sk_embed import make_text_classifier
    from sk_embed._keras import _compat

    texts, y = _noisy_texts(1500, noise=0.3, seed=1)
    loop = make_text_classifier(random_state=0).fit(texts, y)[-1]
    # Keras' own fit, with a callback in place of the epoch loop's hook.
    monkeypatch.setattr(_compat, "can_fit_epochs", lambda *args: False)
    keras_fit = make_text_classifier(random_state=0).fit(texts, y)[-1]
    assert keras_fit.epochs_ == loop.epochs_
    np.testing.assert_allclose(keras_fit.held_out_loss_, loop.held_out_loss_, rtol=1e-5)
