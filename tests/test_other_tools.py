"""The recipes of docs/user_guide/other_tools.rst, run as the page gives them.

Each ``recipe-*`` code block of the guide runs on a small made-up set of
texts (a sentiment word among filler words decides the label), with fewer
trials, folds and epochs where the recipe asks for many (``SMALLER``); the
assertions check what the page says the recipe gives. The tools come with
the ``interop`` extra, which the ``test`` extra installs; without one, its
tests skip (and fail under ``CI=true``, see ``conftest.py``).
"""

import pickle

import numpy as np
import pytest

from conftest import load_script
from sk_embed import make_text_classifier

POSITIVE = ["good", "great", "superb", "lovely", "fine"]
NEGATIVE = ["bad", "awful", "boring", "dull", "poor"]
#: Replacements that make a recipe quick here; each must occur in it.
SMALLER = {
    "recipe-mlflow-autolog": {"cv=3": "cv=2"},
    "recipe-optuna": {"n_trials=20": "n_trials=2", "cv=3": "cv=2"},
    "recipe-optuna-pruning": {
        "n_trials=20": "n_trials=2", "cv=3": "cv=2", "max_iter=8,": "max_iter=3,",
    },
    "recipe-halving": {"max_resources=8": "max_resources=2", "cv=3": "cv=2"},
    "recipe-dask-incremental": {
        "chunks=(2000, -1)": "chunks=(300, -1)", "chunks=2000)": "chunks=300)",
    },
}  # fmt: skip


BENCH_MODULE = load_script("benchmarks/bench_other_tools.py")
RECIPES = BENCH_MODULE.read_recipes()


def _texts(n_texts, seed):
    rng = np.random.default_rng(seed)
    filler = [f"filler{i}" for i in range(100)]
    labels = rng.integers(0, 2, n_texts)
    texts = []
    for label in labels:
        words = list(rng.choice(filler, 10))
        words.insert(rng.integers(0, 11), rng.choice(POSITIVE if label else NEGATIVE))
        texts.append(" ".join(words))
    return texts, labels


@pytest.fixture(scope="module")
def namespace():
    """What the guide's first block defines, for each recipe to start from."""
    train_texts, train_labels = _texts(600, seed=0)
    test_texts, test_labels = _texts(200, seed=1)
    pipeline = make_text_classifier(random_state=0).fit(train_texts, train_labels)
    return dict(
        np=np, make_text_classifier=make_text_classifier, pipeline=pipeline,
        train_texts=train_texts, train_labels=train_labels,
        test_texts=test_texts, test_labels=test_labels,
    )  # fmt: skip


def run(name, namespace):
    """Run recipe ``name`` in a copy of ``namespace``; return the copy."""
    code = RECIPES[name]
    for old, new in SMALLER.get(name, {}).items():
        assert old in code, f"{name} no longer says {old}: update SMALLER"
        code = code.replace(old, new)
    ns = dict(namespace)
    BENCH_MODULE.run_recipe(code, ns)
    return ns


def test_the_guide_has_every_recipe():
    assert set(RECIPES) == {
        "recipe-lime", "recipe-shap", "recipe-mlflow", "recipe-mlflow-autolog",
        "recipe-optuna",
        "recipe-optuna-pruning", "recipe-halving", "recipe-dask-incremental",
        "recipe-dask-parallel-post-fit",
    }  # fmt: skip
    assert all(code.strip() for code in RECIPES.values())


def test_lime_weighs_the_words_that_decide(namespace):
    pytest.importorskip("lime")
    ns = run("recipe-lime", namespace)
    weights = ns["explanation"].as_list()
    assert len(weights) == 6
    text_words = namespace["test_texts"][0].split()
    assert all(word in text_words for word, _ in weights)
    # The label is the sentiment word's: it must weigh most, toward class 1
    # for a positive word.
    word, weight = max(weights, key=lambda pair: abs(pair[1]))
    assert word in POSITIVE + NEGATIVE
    assert (weight > 0) == (word in POSITIVE)


def test_shap_values_add_up_to_the_probabilities(namespace):
    pytest.importorskip("shap")
    ns = run("recipe-shap", namespace)
    values = ns["shap_values"]
    probabilities = namespace["pipeline"].predict_proba(namespace["test_texts"][:5])
    for i, expected in enumerate(probabilities):
        assert values.values[i].shape[1] == 2
        total = values.base_values[i] + values.values[i].sum(axis=0)
        np.testing.assert_allclose(total, expected, atol=1e-5)


def test_mlflow_saves_and_reloads_a_small_skops_file(namespace, tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    pytest.importorskip("skops")
    monkeypatch.chdir(tmp_path)  # MLflow writes its artifacts below the cwd
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    ns = run("recipe-mlflow", namespace)
    pipeline, texts = namespace["pipeline"], namespace["test_texts"]
    np.testing.assert_array_equal(
        ns["reloaded"].predict_proba(texts), pipeline.predict_proba(texts)
    )
    (saved,) = tmp_path.rglob("model.skops")
    # The vocabulary as arrays: the skops file is the pickle's size plus
    # about 0.26 MB of skops' own description of the objects. As a dict
    # (10,200 n-grams here) skops wrote it entry by entry: 3.6 MB more.
    assert saved.stat().st_size < len(pickle.dumps(pipeline)) + 1_000_000
    (requirements,) = tmp_path.rglob("requirements.txt")
    assert "tensorflow==" in requirements.read_text()


def test_mlflow_autolog_logs_a_child_run_per_candidate(
    namespace, tmp_path, monkeypatch
):
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    ns = run("recipe-mlflow-autolog", namespace)
    children = mlflow.search_runs(
        filter_string=f"tags.mlflow.parentRunId = '{ns['run'].info.run_id}'"
    )
    dropouts = sorted(children["params.sequenceembeddingclassifier__dropout"])
    assert dropouts == ["0.3", "0.5"]


def test_optuna_search_samples_pipeline_parameters(namespace):
    pytest.importorskip("optuna_integration")
    ns = run("recipe-optuna", namespace)
    search = ns["search"]
    assert len(search.trials_) == 2
    assert 0.2 <= search.best_params_["sequenceembeddingclassifier__dropout"] <= 0.7
    assert search.best_score_ > 0.6
    assert search.score(namespace["test_texts"], namespace["test_labels"]) > 0.6


def test_optuna_pruning_trains_max_iter_epochs_per_trial(namespace):
    pytest.importorskip("optuna_integration")
    ns = run("recipe-optuna-pruning", namespace)
    search = ns["search"]
    # One partial_fit, one epoch, per step: max_iter steps per trial (none
    # pruned: Optuna's median pruner waits for five trials).
    for trial in search.trials_:
        assert sorted(trial.intermediate_values) == [0, 1, 2]
    best = ns["best"]
    assert best.dropout == search.best_params_["dropout"]
    assert len(best.history_["loss"]) == 8
    ids = ns["prepare"].transform(namespace["test_texts"])
    assert best.score(ids, namespace["test_labels"]) > 0.6


def test_halving_search_uses_epochs_as_its_resource(namespace):
    ns = run("recipe-halving", namespace)
    search = ns["search"]
    assert search.n_resources_ == [1, 2]
    assert list(search.n_candidates_) == [2, 1]
    best = search.best_estimator_[-1]
    assert best.epochs == 2 and len(best.history_["loss"]) == 2


def test_dask_incremental_trains_block_by_block(namespace):
    pytest.importorskip("dask_ml")
    ns = run("recipe-dask-incremental", namespace)
    # 600 texts in two blocks of 300 rows, three passes: six calls of one
    # epoch each.
    assert ns["ids"].numblocks == (2, 1)
    assert len(ns["model"].estimator_.history_["loss"]) == 6
    # Chance is 0.5; five steps per call reach about 0.83 here.
    assert ns["model"].score(ns["test_ids"], namespace["test_labels"]) > 0.75


def test_dask_parallel_post_fit_predicts_as_the_pipeline(namespace):
    pytest.importorskip("dask_ml")
    ns = run("recipe-dask-parallel-post-fit", namespace)
    expected = namespace["pipeline"].predict(namespace["test_texts"])
    np.testing.assert_array_equal(ns["predictions"], expected)
    np.testing.assert_array_equal(ns["lazy"].compute(), expected)


def test_skops_needs_only_the_three_sk_embed_classes_trusted(namespace, tmp_path):
    # As docs/user_guide/persistence.rst says: the list it gives is complete.
    sio = pytest.importorskip("skops.io")
    from sk_embed import PadTransformer, SequenceEmbeddingClassifier, SequenceTokenizer

    pipeline, texts = namespace["pipeline"], namespace["test_texts"]
    path = tmp_path / "pipeline.skops"
    sio.dump(pipeline, path)
    trusted = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in (SequenceTokenizer, PadTransformer, SequenceEmbeddingClassifier)
    ]
    assert sorted(sio.get_untrusted_types(file=path)) == sorted(trusted)
    loaded = sio.load(path, trusted=trusted)
    np.testing.assert_array_equal(loaded.predict_proba(texts), pipeline.predict_proba(texts))
