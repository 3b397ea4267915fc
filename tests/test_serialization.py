"""Pickling, cloning, the pickles' version stamp and concurrent prediction."""

import json
import pickle
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.pipeline import make_pipeline

import sk_embed
from sk_embed import (
    InconsistentVersionWarning,
    PadTransformer,
    SequenceEmbeddingClassifier,
    SequenceTokenizer,
)
from sk_embed._utils import _persistence


def test_pickle_round_trip_keeps_predict_proba(fitted_classifier, token_data):
    X, _ = token_data
    restored = pickle.loads(pickle.dumps(fitted_classifier))
    np.testing.assert_array_equal(
        restored.predict_proba(X), fitted_classifier.predict_proba(X)
    )
    assert restored.classes_.tolist() == fitted_classifier.classes_.tolist()
    assert restored.history_ == fitted_classifier.history_


def test_pickle_holds_no_optimizer_state(fitted_classifier):
    restored = pickle.loads(pickle.dumps(fitted_classifier))
    # Compiled again from its config, with fresh (unbuilt) optimizer slots.
    assert restored.model_.compiled
    assert restored.model_.optimizer.iterations.numpy() == 0
    assert fitted_classifier.model_.optimizer.iterations.numpy() > 0


def test_unfitted_estimators_pickle():
    for estimator in (SequenceEmbeddingClassifier(embedding_dim=3), PadTransformer()):
        restored = pickle.loads(pickle.dumps(estimator))
        assert restored.get_params() == estimator.get_params()


TEXTS = [
    "a wonderful, moving film",
    "dull and far too long",
    "great acting and a great story",
    "the worst movie this year",
] * 10
LABELS = ["pos", "neg", "pos", "neg"] * 10

#: Loads each dump named on the command line and prints its predictions for
#: the input of the same line (a .npy of token ids, or texts in JSON).
RELOAD_AND_PREDICT = """
import json, pickle, sys
import joblib, numpy as np
out = []
for load, path, data in json.loads(sys.argv[1]):
    model = joblib.load(path) if load == "joblib" else pickle.load(open(path, "rb"))
    X = np.load(data) if data.endswith(".npy") else json.loads(data)
    out.append(model.predict_proba(X).tolist())
print(json.dumps(out))
"""


def test_dumps_reload_in_a_fresh_process(fitted_classifier, token_data, tmp_path):
    # One child process for all three dumps: each process pays TensorFlow's
    # start-up, several seconds.
    X, _ = token_data
    pipe = make_pipeline(
        SequenceTokenizer(),
        PadTransformer(maxlen=8),
        SequenceEmbeddingClassifier(epochs=2, random_state=0),
    ).fit(TEXTS, LABELS)
    np.save(tmp_path / "X.npy", X)
    (tmp_path / "clf.pkl").write_bytes(pickle.dumps(fitted_classifier))
    (tmp_path / "pipe.pkl").write_bytes(pickle.dumps(pipe))
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    texts = json.dumps(TEXTS[:4])
    jobs = [
        ("pickle", str(tmp_path / "clf.pkl"), str(tmp_path / "X.npy")),
        ("pickle", str(tmp_path / "pipe.pkl"), texts),
        ("joblib", str(tmp_path / "pipe.joblib"), texts),
    ]
    result = subprocess.run(
        [sys.executable, "-c", RELOAD_AND_PREDICT, json.dumps(jobs)],
        check=True,
        capture_output=True,
        text=True,
    )
    clf_proba, *pipe_probas = json.loads(result.stdout.strip().splitlines()[-1])
    np.testing.assert_array_equal(clf_proba, fitted_classifier.predict_proba(X))
    for proba in pipe_probas:
        np.testing.assert_array_equal(proba, pipe.predict_proba(TEXTS[:4]))


def test_pickle_does_not_hold_training_data(tmp_path):
    X = np.random.RandomState(0).randint(1, 30, size=(4000, 20))
    y = X[:, -1] > 15
    clf = SequenceEmbeddingClassifier(epochs=1).fit(X, y)
    # Weights of a 31 x 8 embedding and a 160 x 32 layer: a few kB, while
    # the training matrix alone is 640 kB.
    assert len(pickle.dumps(clf)) < 100_000


def test_concurrent_predictions_match_serial(fitted_classifier, token_data):
    X, _ = token_data
    chunks = [X[i::4] for i in range(4)] * 3
    serial = [fitted_classifier.predict_proba(chunk) for chunk in chunks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(fitted_classifier.predict_proba, chunks))
    for expected, got in zip(serial, concurrent):
        np.testing.assert_array_equal(got, expected)


#: Every estimator class in ``sk_embed.__all__``.
PUBLIC_ESTIMATORS = [
    obj
    for obj in map(sk_embed.__dict__.get, sorted(sk_embed.__all__))
    if isinstance(obj, type) and issubclass(obj, BaseEstimator)
]
#: The same as pytest params, named: every one stamps its pickles.
STAMPED = [pytest.param(obj, id=obj.__name__) for obj in PUBLIC_ESTIMATORS]


def _pickled_by(version, estimator, monkeypatch):
    """``estimator`` pickled as sk_embed ``version`` would pickle it."""
    with monkeypatch.context() as patch:
        patch.setattr(_persistence, "__version__", version)
        return pickle.dumps(estimator)


@pytest.mark.parametrize("estimator_class", STAMPED)
def test_a_pickle_from_another_version_warns_naming_both(
    estimator_class, monkeypatch
):
    data = _pickled_by("0.0.1.dev0", estimator_class(), monkeypatch)
    with pytest.warns(InconsistentVersionWarning) as record:
        pickle.loads(data)
    (warning,) = [w.message for w in record if w.category is InconsistentVersionWarning]
    assert warning.estimator_name == estimator_class.__name__
    assert warning.original_version == "0.0.1.dev0"
    assert warning.current_version == sk_embed.__version__
    message = str(warning)
    for text in (estimator_class.__name__, "0.0.1.dev0", sk_embed.__version__):
        assert text in message


@pytest.mark.parametrize("estimator_class", STAMPED)
def test_a_pickle_from_before_versions_warns(estimator_class, monkeypatch):
    # As the pickles made before the stamp: scikit-learn's state alone.
    with monkeypatch.context() as patch:
        patch.setattr(
            _persistence.VersionedPickleMixin,
            "__getstate__",
            BaseEstimator.__getstate__,
        )
        data = pickle.dumps(estimator_class())
    with pytest.warns(InconsistentVersionWarning, match="an unknown sk_embed version"):
        pickle.loads(data)


@pytest.mark.parametrize("estimator_class", PUBLIC_ESTIMATORS, ids=lambda c: c.__name__)
def test_a_pickle_from_the_same_version_loads_silently(estimator_class):
    estimator = estimator_class()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored = pickle.loads(pickle.dumps(estimator))
    assert restored.get_params() == estimator.get_params()
    # The stamp is the pickle's, never an attribute of the estimator.
    assert _persistence.VERSION_KEY not in vars(restored)


def test_a_fitted_pipeline_from_the_same_version_loads_silently(fitted_classifier):
    pipe = make_pipeline(SequenceTokenizer(), PadTransformer(maxlen=8)).fit(TEXTS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps((pipe, fitted_classifier)))
