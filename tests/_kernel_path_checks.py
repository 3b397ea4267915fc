"""The checks ``test_kernel_paths.py`` runs in a fresh process per kernel path.

Run as a script, with ``TF_ENABLE_ONEDNN_OPTS`` set to 0 or 1 in its
environment only (TensorFlow reads the variable once, when it loads): on
one machine, both the kernels of CPUs without AVX-512 VNNI, BF16 or AMX
(Eigen's) and those of CPUs with them (oneDNN's). It checks

1. with ``--estimator-checks``: scikit-learn's ``check_estimator`` over
   every public estimator with its default parameters, given sk_embed's
   public expected failures and nothing else;
2. for every model configuration of ``test_common.py`` and a
   bidirectional GRU regressor, each fitted once (seeded or not, with a sigmoid, multi-label
   sigmoid or softmax output, in turn): that a row's prediction is the
   same, to the last bit, alone, among 1,100 rows (more than one
   prediction chunk) in any order, and in a subset.

It prints one JSON line: the failures (empty when all pass), the seconds
each part took, and whether TensorFlow ran oneDNN's kernels.
"""

import json
import sys
import time
import warnings

import numpy as np


def onednn_in_this_process():
    """Whether this process's TensorFlow runs oneDNN's kernels."""
    # TensorFlow's own answer, which follows both the CPU and
    # TF_ENABLE_ONEDNN_OPTS. Private: no public API says which kernels run.
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


def check_public_estimators():
    from sklearn.utils.estimator_checks import check_estimator

    import sk_embed

    failures = []
    for name in sk_embed.__all__:
        cls = getattr(sk_embed, name)
        if not (isinstance(cls, type) and hasattr(cls, "fit")):
            continue
        estimator = cls()
        results = check_estimator(
            estimator,
            expected_failed_checks=sk_embed.expected_failed_checks(estimator),
            on_fail=None,
        )
        failures += [
            f"{name}: {result['check_name']}: {result['exception']!r}"[:2000]
            for result in results
            if result["status"] == "failed"
        ]
    return failures


def _predict(estimator):
    return getattr(estimator, "predict_proba", estimator.predict)


def _row_failures(estimator, X, rng):
    """How ``estimator``'s predictions of ``X`` depend on the other rows."""
    predict = _predict(estimator)
    together = predict(X)
    failures = []
    for _ in range(3):
        order = rng.permutation(len(X))
        if not np.array_equal(predict(X[order]), together[order]):
            failures.append("rows in another order")
    for row in rng.choice(len(X), 8, replace=False):
        if not np.array_equal(predict(X[row : row + 1]), together[row : row + 1]):
            failures.append(f"row {row} alone")
    for rows in (slice(0, 20), slice(19, None, -1), slice(1000, 1100)):
        if not np.array_equal(predict(X[rows]), together[rows]):
            failures.append(f"the subset {rows}")
    return failures


def check_rows():
    from sklearn.base import clone, is_classifier

    from sk_embed import SequenceEmbeddingRegressor
    from test_common import ESTIMATORS

    models = [e for e in ESTIMATORS if "epochs" in e.get_params()]
    models.append(
        SequenceEmbeddingRegressor(
            encoder="gru", bidirectional=True, pooling="average", encoder_units=8
        )
    )
    rng = np.random.RandomState(0)
    X = rng.randint(1, 100, size=(60, 12))
    X[rng.rand(*X.shape) < 0.3] = 0
    X_predict = rng.randint(0, 120, size=(1100, 12))  # ids past the vocabulary too
    X_predict[rng.rand(*X_predict.shape) < 0.3] = 0
    multiclass = X[:, -1] % 7
    targets = {
        "sigmoid": (X[:, -1] > 50).astype(int),
        "multi-label sigmoid": (X[:, -3:] > 50).astype(int),
        "softmax": multiclass,
    }
    failures = []
    # One fit per configuration, with each output kind in turn, seeded and
    # unseeded in turn (each fit costs about 2 s).
    for index, model in enumerate(models):
        kind = list(targets)[index % 3] if is_classifier(model) else "linear"
        y = targets.get(kind, multiclass / 7.0)
        random_state = 0 if index % 2 == 0 else None
        estimator = clone(model).set_params(epochs=2, random_state=random_state)
        estimator.fit(X, y)
        failures += [
            f"{model!r}, {kind} output, random_state={random_state}: {failure}"
            for failure in _row_failures(estimator, X_predict, rng)
        ]
    return failures


def main():
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    import sk_embed  # noqa: F401 (TensorFlow's start-up, timed apart)

    seconds = {"import": round(time.perf_counter() - start, 1)}
    parts = [check_rows]
    if "--estimator-checks" in sys.argv[1:]:
        parts.insert(0, check_public_estimators)
    failures = []
    for part in parts:
        start = time.perf_counter()
        failures += part()
        seconds[part.__name__] = round(time.perf_counter() - start, 1)
    onednn = onednn_in_this_process()
    print(json.dumps({"failures": failures, "seconds": seconds, "onednn": onednn}))


if __name__ == "__main__":
    sys.exit(main())
