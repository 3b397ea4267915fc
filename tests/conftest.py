import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def make_token_data(n_samples=240, length=10, vocab=50, n_classes=2, seed=0):
    """Padded token ids whose class is decided by the last token.

    Learnable in a few epochs by the seed network, so tests stay fast.
    """
    rng = np.random.RandomState(seed)
    X = rng.randint(1, vocab, size=(n_samples, length))
    y = (X[:, -1] * n_classes) // vocab
    return X, y


@pytest.fixture(scope="session")
def token_data():
    return make_token_data()


@pytest.fixture(scope="session")
def fitted_classifier(token_data):
    from sk_embed import SequenceEmbeddingClassifier

    X, y = token_data
    labels = np.array(["neg", "pos"])[y]
    return SequenceEmbeddingClassifier(epochs=15, random_state=0).fit(X, labels)


@pytest.fixture(scope="session")
def imdb_data_home():
    """The folder named by SK_EMBED_DATA, if it holds the IMDB data; else skip."""
    from sk_embed.datasets import fetch_imdb

    data_home = os.environ.get("SK_EMBED_DATA")
    if not data_home:
        pytest.skip("SK_EMBED_DATA is not set: it must name the IMDB data folder")
    try:
        fetch_imdb(subset="train", data_home=data_home)
    except OSError as error:
        pytest.skip(f"IMDB data not available: {error}")
    return data_home
