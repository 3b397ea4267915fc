"""Pickling, cloning and concurrent prediction."""

import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sk_embed import PadTransformer, SequenceEmbeddingClassifier


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


def test_unpickled_in_a_fresh_process(fitted_classifier, token_data, tmp_path):
    X, _ = token_data
    model_path, data_path = tmp_path / "clf.pkl", tmp_path / "X.npy"
    model_path.write_bytes(pickle.dumps(fitted_classifier))
    np.save(data_path, X)
    script = (
        "import pickle, sys, numpy as np\n"
        f"clf = pickle.load(open({str(model_path)!r}, 'rb'))\n"
        f"np.save(sys.argv[1], clf.predict_proba(np.load({str(data_path)!r})))\n"
    )
    out_path = tmp_path / "proba.npy"
    subprocess.run([sys.executable, "-c", script, str(out_path)], check=True)
    np.testing.assert_array_equal(np.load(out_path), fitted_classifier.predict_proba(X))


def test_concurrent_predictions_match_serial(fitted_classifier, token_data):
    X, _ = token_data
    chunks = [X[i::4] for i in range(4)] * 3
    serial = [fitted_classifier.predict_proba(chunk) for chunk in chunks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(fitted_classifier.predict_proba, chunks))
    for expected, got in zip(serial, concurrent):
        np.testing.assert_array_equal(got, expected)
