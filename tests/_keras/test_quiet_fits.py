"""Fits print none of TensorFlow's noise, and hide nothing else.

Two lines used to reach a user who asked for no verbose output: the oneDNN
"DT_BOOL only on platforms with AVX-512" notice of the first recurrent fit
(at ERROR level, although nothing is wrong) and the retracing warnings of
Keras' train functions during a search over several networks.
"""

import logging
import os
import pickle
import subprocess
import sys

import numpy as np

from sk_embed._keras._startup import keras_retracing_warnings_hidden

#: A halving search over recurrent and other networks, then a user's own
#: retraced tf.function and a real error, which must still be seen.
SEARCH = """
import logging
import numpy as np
import tensorflow as tf
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV
from sk_embed import SequenceEmbeddingClassifier

rng = np.random.RandomState(0)
X = rng.randint(1, 40, size=(120, 8))
y = (X[:, 0] > 20).astype(int)
HalvingRandomSearchCV(
    SequenceEmbeddingClassifier(random_state=0, epochs=1, batch_size=32),
    {"encoder": [None, "lstm", "gru"], "embedding_dim": [4, 8, 12]},
    resource="epochs", min_resources=1, max_resources=2, factor=2,
    n_candidates=6, cv=2, random_state=0,
).fit(X, y)
for step in range(8):
    tf.function(lambda x: x + 1)(tf.constant(step))
logging.getLogger("tensorflow").error("a real error")
"""

#: One recurrent fit.
RECURRENT_FIT = """
import numpy as np
from sk_embed import SequenceEmbeddingClassifier

X = np.random.RandomState(0).randint(1, 40, size=(40, 8))
SequenceEmbeddingClassifier(encoder="lstm", epochs=1).fit(X, X[:, 0] > 20)
"""


#: A recurrent model, loaded from a pickle, predicting in a new process
#: before any fit there (the file name is formatted in).
PICKLED_RECURRENT_PREDICTS = """
import pickle
import numpy as np

with open({path!r}, "rb") as file:
    model = pickle.load(file)
model.predict(np.random.RandomState(1).randint(1, 40, size=(5, 8)))
"""


def run_python(code, log_level=None):
    env = {
        key: value
        for key, value in os.environ.items()
        if "TF_CPP_MIN_LOG_LEVEL" not in key
    }
    # oneDNN's kernels, which log the boolean notice.
    env["TF_ENABLE_ONEDNN_OPTS"] = "1"
    if log_level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = log_level
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_search_over_networks_prints_no_tensorflow_noise_but_real_messages():
    stderr = run_python(SEARCH)
    assert "DT_BOOL" not in stderr
    assert "TensorFlowTrainer._make_function" not in stderr
    # The user's own retracing and errors still reach them.
    assert "triggered tf.function retracing" in stderr
    assert "a real error" in stderr


def test_boolean_notice_shown_at_the_level_the_user_set():
    assert "oneDNN supports DT_BOOL only" in run_python(RECURRENT_FIT, "0")


def test_retracing_filter_only_within_fits_and_only_for_keras(caplog):
    keras_message = (
        "6 out of the last 11 calls to <function TensorFlowTrainer._make_function"
        ".<locals>.multi_step_on_iterator at 0x7f47> triggered tf.function retracing."
    )
    own_message = (
        "6 out of the last 11 calls to <function f> triggered tf.function retracing."
    )
    logger = logging.getLogger("tensorflow")
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        with keras_retracing_warnings_hidden(), keras_retracing_warnings_hidden():
            logger.warning(keras_message)
            logger.warning(own_message)
        logger.warning(keras_message)
        with keras_retracing_warnings_hidden(hidden=False):
            logger.warning(keras_message)
    assert [record.getMessage() for record in caplog.records] == [
        own_message,
        keras_message,
        keras_message,
    ]
    assert logger.filters == []


def test_a_pickled_recurrent_model_predicts_without_the_boolean_notice(tmp_path):
    from sk_embed import SequenceEmbeddingClassifier

    X = np.random.RandomState(0).randint(1, 40, size=(40, 8))
    model = SequenceEmbeddingClassifier(encoder="gru", epochs=1).fit(X, X[:, 0] > 20)
    path = tmp_path / "gru.pkl"
    path.write_bytes(pickle.dumps(model))
    stderr = run_python(PICKLED_RECURRENT_PREDICTS.format(path=str(path)))
    assert "DT_BOOL" not in stderr, stderr
