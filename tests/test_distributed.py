"""Searches on a Dask cluster (joblib's "dask" backend) equal one-process runs.

One LocalCluster of two worker processes on the loopback interface serves the
whole module; TensorFlowThreads is registered before any work reaches it.
"""

import importlib
import os
import pickle
import sys
import time
import warnings

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import joblib  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_validate,
)
from sklearn.pipeline import make_pipeline  # noqa: E402

import sk_embed  # noqa: E402
from sk_embed import PadTransformer, SequenceEmbeddingClassifier  # noqa: E402
from sk_embed.distributed import TensorFlowThreads, tensorflow_threads  # noqa: E402

N_WORKERS = 2


def _ragged_data(n_samples=120, seed=0):
    """Variable-length sequences whose class is their last token's half."""
    rng = np.random.RandomState(seed)
    sequences = [
        list(rng.randint(1, 40, size=rng.randint(3, 15))) for _ in range(n_samples)
    ]
    labels = np.array(["low", "high"])[[int(s[-1] >= 20) for s in sequences]]
    return sequences, labels


def _pipeline():
    return make_pipeline(
        PadTransformer(maxlen=20),
        SequenceEmbeddingClassifier(epochs=3, learning_rate=0.01, random_state=0),
    )


@pytest.fixture(scope="module")
def caller_threads():
    """The calling process's TensorFlow threads, before any cluster exists."""
    return tensorflow_threads()


def _local_cluster(**params):
    """A LocalCluster on the loopback interface only, dashboard off."""
    with warnings.catch_warnings():
        # Another cluster (another test run) may hold the default HTTP port;
        # Dask then picks a free one and says so.
        warnings.filterwarnings("ignore", "Port .* is already in use")
        return distributed.LocalCluster(
            host="127.0.0.1", protocol="tcp", dashboard_address=None, **params
        )


@pytest.fixture(scope="module")
def client(caller_threads):
    with _local_cluster(
        n_workers=N_WORKERS, threads_per_worker=1, processes=True
    ) as cluster, distributed.Client(cluster) as client:
        # Before any task: TensorFlow's pools are fixed once it has run.
        client.register_plugin(TensorFlowThreads())
        yield client


def _on_dask(search, X, y):
    with distributed.get_task_stream() as tasks, joblib.parallel_backend("dask"):
        search.fit(X, y)
    # The fits really ran on the cluster, on both workers.
    assert len({task["worker"] for task in tasks.data}) == N_WORKERS
    return search


def _assert_same_search(serial, on_dask, X):
    assert serial.cv_results_["params"] == on_dask.cv_results_["params"]
    score_keys = [
        key
        for key in serial.cv_results_
        if key.startswith(("mean_test_", "std_test_", "split", "rank_test_"))
    ]
    assert score_keys
    for key in score_keys:
        # Exact: same seeds, one intra-op thread per fit, same kernels.
        np.testing.assert_array_equal(
            on_dask.cv_results_[key], serial.cv_results_[key], err_msg=key
        )
    assert on_dask.best_params_ == serial.best_params_
    assert on_dask.best_index_ == serial.best_index_
    np.testing.assert_array_equal(
        on_dask.best_estimator_.predict_proba(X),
        serial.best_estimator_.predict_proba(X),
    )


def _assert_one_thread_per_worker(client):
    # threads_per_worker=1, so TensorFlowThreads() gives 1 and 1.
    expected = {"intra_op": 1, "inter_op": 1}
    assert list(client.run(tensorflow_threads).values()) == [expected] * N_WORKERS


def test_workers_are_separate_processes_on_loopback(client):
    pids = client.run(os.getpid)
    assert len(pids) == N_WORKERS
    assert all(address.startswith("tcp://127.0.0.1:") for address in pids)
    assert os.getpid() not in pids.values()
    assert len(set(pids.values())) == N_WORKERS


def test_plugin_gives_each_worker_its_nthreads(client):
    _assert_one_thread_per_worker(client)


def test_grid_search_on_dask_equals_one_process(client, caller_threads):
    X, y = _ragged_data()

    def search(**params):
        return GridSearchCV(
            _pipeline(),
            {
                "padtransformer__maxlen": [3, 20],
                "sequenceembeddingclassifier__embedding_dim": [4, 8],
            },
            cv=2,
            # Log-loss sees any change in the probabilities; accuracy would not.
            scoring=["neg_log_loss", "accuracy"],
            refit="neg_log_loss",
            **params,
        )

    serial = search(n_jobs=1).fit(X, y)
    on_dask = _on_dask(search(), X, y)
    _assert_same_search(serial, on_dask, X)
    # The workers and the caller kept their settings.
    _assert_one_thread_per_worker(client)
    assert tensorflow_threads() == caller_threads


def test_randomized_search_on_dask_equals_one_process(client):
    X, y = _ragged_data(seed=1)

    def search(**params):
        return RandomizedSearchCV(
            _pipeline(),
            {
                "padtransformer__maxlen": [3, 5, 20],
                "sequenceembeddingclassifier__learning_rate": loguniform(3e-3, 3e-2),
            },
            n_iter=3,
            cv=2,
            scoring="neg_log_loss",
            random_state=0,
            **params,
        )

    _assert_same_search(search(n_jobs=1).fit(X, y), _on_dask(search(), X, y), X)


def test_fitted_estimators_come_back_from_the_workers(client):
    # return_estimator=True pickles fitted Keras models back to the caller.
    X, y = _ragged_data(n_samples=90, seed=2)
    cv = StratifiedKFold(3)
    serial = cross_validate(_pipeline(), X, y, cv=cv, return_estimator=True)
    with joblib.parallel_backend("dask"):
        on_dask = cross_validate(_pipeline(), X, y, cv=cv, return_estimator=True)
    np.testing.assert_array_equal(on_dask["test_score"], serial["test_score"])
    for ours, reference in zip(on_dask["estimator"], serial["estimator"]):
        np.testing.assert_array_equal(ours.predict_proba(X), reference.predict_proba(X))


def test_plugin_registered_after_tensorflow_ran_warns_and_changes_nothing(client):
    def run_tensorflow():
        import tensorflow as tf

        return float(tf.reduce_sum(tf.ones(3)))

    assert set(client.run(run_tensorflow).values()) == {3.0}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.register_plugin(TensorFlowThreads(intra_op=2, inter_op=2), name="late")
        try:
            # Forwarded warnings reach the client asynchronously.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not _late_warnings(caught):
                time.sleep(0.05)
        finally:
            client.unregister_worker_plugin("late")
    messages = _late_warnings(caught)
    assert messages
    assert "restart" in messages[0] and "intra_op=1" in messages[0]
    _assert_one_thread_per_worker(client)


def _late_warnings(caught):
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, RuntimeWarning)
        and "could not set intra_op=2" in str(w.message)
    ]


def test_plugin_leaves_in_process_workers_alone(caller_threads):
    with _local_cluster(n_workers=1, processes=False) as cluster, distributed.Client(
        cluster, set_as_default=False
    ) as local:
        with pytest.warns(RuntimeWarning, match="processes=False"):
            local.register_plugin(TensorFlowThreads(intra_op=3, inter_op=3))
    assert tensorflow_threads() == caller_threads


def test_plugin_parameters():
    plugin = TensorFlowThreads(intra_op=2)
    assert (plugin.intra_op, plugin.inter_op) == (2, None)
    assert repr(plugin) == "TensorFlowThreads(intra_op=2, inter_op=None)"
    copy = pickle.loads(pickle.dumps(plugin))
    assert (copy.intra_op, copy.inter_op, copy.name) == (2, None, plugin.name)
    assert isinstance(plugin, distributed.diagnostics.plugin.WorkerPlugin)
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="positive int"):
            TensorFlowThreads(intra_op=bad)
        with pytest.raises(ValueError, match="positive int"):
            TensorFlowThreads(inter_op=bad)


def test_module_imports_without_dask(monkeypatch):
    original = sys.modules["sk_embed.distributed"]
    for name in list(sys.modules):
        if name.split(".")[0] in ("dask", "distributed"):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "distributed", None)
    # Re-import sk_embed.distributed in a world without Dask; monkeypatch
    # puts the real module back afterwards.
    monkeypatch.delitem(sys.modules, "sk_embed.distributed")
    monkeypatch.setattr(sk_embed, "distributed", original)
    module = importlib.import_module("sk_embed.distributed")
    assert module is not original and module._WorkerPlugin is object
    plugin = module.TensorFlowThreads(inter_op=1)
    assert repr(plugin) == "TensorFlowThreads(intra_op=None, inter_op=1)"
    assert sorted(module.tensorflow_threads()) == ["inter_op", "intra_op"]
