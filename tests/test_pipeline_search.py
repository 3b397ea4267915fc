"""The estimators inside Pipeline, GridSearchCV and cross-validation."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from sk_embed import PadTransformer, SequenceEmbeddingClassifier


def _ragged_data(n_samples=180, seed=0):
    """Variable-length sequences whose class is their last token's half."""
    rng = np.random.RandomState(seed)
    sequences = [list(rng.randint(1, 40, size=rng.randint(3, 15))) for _ in range(n_samples)]
    labels = np.array(["low", "high"])[[int(s[-1] >= 20) for s in sequences]]
    return sequences, labels


def test_is_recognised_as_a_classifier():
    pipe = make_pipeline(PadTransformer(maxlen=5), SequenceEmbeddingClassifier())
    assert is_classifier(SequenceEmbeddingClassifier())
    assert is_classifier(pipe)


def test_grid_search_in_two_processes():
    sequences, labels = _ragged_data()
    pipe = make_pipeline(
        PadTransformer(maxlen=20), SequenceEmbeddingClassifier(epochs=10, learning_rate=0.01, random_state=0)
    )
    search = GridSearchCV(
        pipe,
        {
            "padtransformer__maxlen": [3, 20],
            "sequenceembeddingclassifier__embedding_dim": [4, 8],
        },
        cv=3,
        n_jobs=2,
    )
    search.fit(sequences, labels)
    assert search.cv_results_["mean_test_score"].shape == (4,)
    # Keeping the last 3 tokens keeps the deciding token: "pre" truncation.
    assert search.best_params_["padtransformer__maxlen"] in (3, 20)
    assert search.best_score_ > 0.8
    assert set(search.predict(sequences[:5])) <= {"low", "high"}


def test_cross_val_score_uses_stratified_folds():
    sequences, labels = _ragged_data(n_samples=120)
    pipe = make_pipeline(
        PadTransformer(maxlen=5), SequenceEmbeddingClassifier(epochs=10, learning_rate=0.01, random_state=0)
    )
    scores = cross_val_score(pipe, sequences, labels, cv=StratifiedKFold(3))
    assert scores.shape == (3,)
    assert scores.mean() > 0.7
