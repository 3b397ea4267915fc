"""The recipes of the "Working with other tools" guide, on Subj, timed.

Runs each recipe of ``docs/user_guide/other_tools.rst`` exactly as the page
gives it (the code blocks named ``recipe-*``) on the Subj sentences (8,000
training and 2,000 test sentences, the 80/20 split of bench_datasets.py),
after fitting ``make_text_classifier(random_state=0)``, and prints what each
gave and took, beside TF-IDF + logistic regression where the recipe has a
peer (SHAP, the saved sizes)::

    python benchmarks/bench_other_tools.py --data-home ../shared/data
        [--only recipe-shap recipe-mlflow ...]

Needs the ``interop`` extra (``pip install -e ".[interop]"``). The test
suite runs the same recipes on a small made-up set
(``tests/test_other_tools.py``), reading them with :func:`read_recipes`.
"""

import argparse
import os
import pickle
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone

GUIDE = Path(__file__).parents[1] / "docs" / "user_guide" / "other_tools.rst"
_RECIPE_HEADER = re.compile(r"^\.\. code-block:: python\n   :name: (recipe-[\w-]+)\n\n", re.M)


def read_recipes(path=GUIDE):
    """``{name: code}`` of every ``recipe-*`` code block of ``path``."""
    text = Path(path).read_text(encoding="utf-8")
    recipes = {}
    for header in _RECIPE_HEADER.finditer(text):
        lines = []
        for line in text[header.end():].splitlines():
            if line and not line.startswith("   "):
                break
            lines.append(line[3:])
        recipes[header.group(1)] = "\n".join(lines).strip() + "\n"
    return recipes


def run_recipe(code, namespace):
    """Run ``code`` in ``namespace`` (updated in place); return its seconds."""
    start = time.perf_counter()
    exec(compile(code, "<recipe>", "exec"), namespace)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-home", default=os.environ.get("SK_EMBED_DATA"))
    parser.add_argument(
        "--only", nargs="+", metavar="RECIPE", help="e.g. recipe-shap (default: all)"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_datasets import load_dataset, peer

    from sk_embed import make_text_classifier

    train_texts, train_labels, test_texts, test_labels = (
        list(part) if i % 2 == 0 else np.asarray(part)
        for i, part in enumerate(load_dataset("subj", args.data_home))
    )
    start = time.perf_counter()
    pipeline = make_text_classifier(random_state=0).fit(train_texts, train_labels)
    print(f"make_text_classifier: {pipeline.score(test_texts, test_labels):.4f} "
          f"in {time.perf_counter() - start:.1f} s")
    tfidf = peer().fit(train_texts, train_labels)
    namespace = dict(
        np=np, make_text_classifier=make_text_classifier, pipeline=pipeline,
        train_texts=train_texts, train_labels=train_labels,
        test_texts=test_texts, test_labels=test_labels,
    )  # fmt: skip
    recipes = read_recipes()
    if args.only:
        recipes = {name: recipes[name] for name in args.only}
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{folder}/mlflow.db"
        for name, code in recipes.items():
            seconds = run_recipe(code, namespace)
            print(f"\n{name}: {seconds:.2f} s")
            report(name, namespace, tfidf, folder)


def report(name, namespace, tfidf, folder):
    """Print what recipe ``name`` gave, beside the peer where it has one."""
    ns = namespace
    if name == "recipe-lime":
        print("  ", ns["explanation"].as_list())
    elif name == "recipe-shap":
        # The recipe's time includes SHAP's own first-call start (about
        # 6 s, outside predict_proba): time both explainers again.
        peer_explainer = ns["shap"].Explainer(tfidf.predict_proba, ns["masker"])
        for who, explainer in [("ours", ns["explainer"]), ("TF-IDF + LR", peer_explainer)]:
            start = time.perf_counter()
            explainer(ns["test_texts"][:5])
            print(f"   {who}, the same five sentences again: "
                  f"{time.perf_counter() - start:.2f} s")
    elif name == "recipe-mlflow":
        saved = next(Path(folder).rglob("model.skops"))
        print(f"   skops file {saved.stat().st_size / 1e6:.1f} MB; pickle "
              f"{len(pickle.dumps(ns['pipeline'])) / 1e6:.1f} MB; TF-IDF + LR "
              f"pickle {len(pickle.dumps(tfidf)) / 1e6:.1f} MB; same probabilities: "
              f"{np.array_equal(ns['reloaded'].predict_proba(ns['test_texts']), ns['pipeline'].predict_proba(ns['test_texts']))}")
    elif name == "recipe-mlflow-autolog":
        children = ns["mlflow"].search_runs(
            filter_string=f"tags.mlflow.parentRunId = '{ns['run'].info.run_id}'"
        )
        print(f"   child runs: {len(children)}; best cv score "
              f"{ns['search'].best_score_:.4f}")
    elif name.startswith("recipe-optuna") or name == "recipe-halving":
        search = ns["search"]
        print(f"   best {search.best_params_}, cv score {search.best_score_:.4f}")
        if name == "recipe-optuna-pruning":
            states = [trial.state.name for trial in search.trials_]
            test_ids = ns["prepare"].transform(ns["test_texts"])
            print(f"   trials pruned: {states.count('PRUNED')} of {len(states)}; "
                  f"the best refitted: {ns['best'].score(test_ids, ns['test_labels']):.4f}")
            return
        if name == "recipe-halving":
            print(f"   epochs per round {search.n_resources_}, "
                  f"candidates {list(search.n_candidates_)}")
        print(f"   the best refitted: "
              f"{search.score(ns['test_texts'], ns['test_labels']):.4f}")
    elif name == "recipe-dask-incremental":
        plain = clone(ns["network"]).set_params(epochs=3)
        plain.fit(ns["ids"].compute(), ns["train_labels"])
        print(f"   Incremental, 3 passes: {ns['model'].score(ns['test_ids'], ns['test_labels']):.4f}; "
              f"plain fit, 3 epochs: {plain.score(ns['test_ids'].compute(), ns['test_labels']):.4f}")
    elif name == "recipe-dask-parallel-post-fit":
        same = np.array_equal(ns["predictions"], ns["pipeline"].predict(ns["test_texts"]))
        print(f"   same predictions as pipeline.predict: {same}")


if __name__ == "__main__":
    main()
