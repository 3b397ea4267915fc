"""What a fit costs: make_text_classifier() against TF-IDF + LogisticRegression.

Usage::

    python benchmarks/bench_fit_cost.py [--data-home DIR] [--only custrev ...]
        [--folds 5] [--conv1d] [--param epochs=4 ...] [--profile custrev]

For every data set of ``bench_datasets.py`` (IMDB, the five sentence sets,
Banking77, NLU++ banking, ChnSentiCorp), in this one process and after one
warm-up fit of each model on the set (TensorFlow traces its graphs on a
process's first fit of a network; a user pays that once):

- ``fit s``: one fit on the training part (tokenization included), and the
  test score of that fit (accuracy; micro-F1 for NLU++);
- ``cv s``: ``cross_val_score`` with ``--folds`` folds on the training part
  (stratified, but for NLU++'s label matrix), the common case of a fit on
  short texts: each fold fits a new vocabulary;
- ``/ peer``: our seconds over the peer's, measured just before ours on the
  same rows. The peer is the one of every comparison here (``peer()`` in
  ``bench_datasets.py``).

``--conv1d`` adds a row per short-text set (all but IMDB's and
ChnSentiCorp's reviews, where it takes minutes) for ``encoder="conv1d",
pooling="max"``, an encoder that reads every padded position, with its fit
seconds over the pooled default's. ``--param name=value`` overrides a parameter of ours, as
in ``bench_datasets.py``. ``--profile NAME`` prints where the seconds of one fit on
that set go (cProfile, sorted by own time), after its warm-up.

To compare with an earlier version, run the same command with that
version's package first on ``PYTHONPATH`` (for example a ``git worktree``
of it); the script itself uses nothing but the public API.
"""

import argparse
import cProfile
import os
import pstats
import time

import numpy as np
from bench_datasets import (
    DATASETS,
    MULTILABEL_SETS,
    load_dataset,
    parse_param,
    peer,
    score,
)
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

import sk_embed
from sk_embed import make_text_classifier

#: Sets of long reviews: no conv1d row (see the module's docstring).
LONG_TEXT_SETS = ("imdb", "chnsenticorp")
#: A fold's score, as ``score`` of ``bench_datasets.py`` gives a test score.
CV_SCORING = {True: "f1_micro", False: "accuracy"}


def timed(function):
    """``function()``'s result and its seconds."""
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def fit_and_score(factory, data):
    """Seconds of one fit of a new model, and its test score."""
    train_texts, train_labels, test_texts, test_labels = data
    model, seconds = timed(lambda: factory().fit(train_texts, train_labels))
    return seconds, score(test_labels, model.predict(test_texts))


def cross_validate(factory, data, folds, multilabel):
    """Seconds of ``cross_val_score`` on the training part, and its mean."""
    train_texts, train_labels = data[:2]
    splitter = (KFold if multilabel else StratifiedKFold)(folds)
    scores, seconds = timed(
        lambda: cross_val_score(
            factory(), np.asarray(train_texts, dtype=object), train_labels,
            cv=splitter, scoring=CV_SCORING[multilabel],
        )
    )  # fmt: skip
    return seconds, float(np.mean(scores))


def print_row(name, label, fit, cv, peer_fit, peer_cv):
    cells = f"{name:<12} {label:<34} {fit[1]:>7.4f} {fit[0]:>7.2f}"
    if peer_fit is not None:
        cells += f" {fit[0] / peer_fit[0]:>7.2f}"
    else:
        cells += f" {'':>7}"
    if cv is not None:
        cells += f" {cv[1]:>7.4f} {cv[0]:>7.2f}"
        if peer_cv is not None:
            cells += f" {cv[0] / peer_cv[0]:>7.2f}"
    print(cells, flush=True)


def profile_fit(factory, data, lines=25):
    """Print where one fit's seconds go, by own time."""
    profiler = cProfile.Profile()
    profiler.runcall(lambda: factory().fit(*data[:2]))
    pstats.Stats(profiler).sort_stats("tottime").print_stats(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("SK_EMBED_DATA"))
    parser.add_argument("--only", action="append", choices=DATASETS)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--conv1d", action="store_true")
    parser.add_argument("--param", action="append", type=parse_param, default=[])
    parser.add_argument("--profile", choices=DATASETS)
    args = parser.parse_args(argv)
    if not args.data_home:
        parser.error("give --data-home or set SK_EMBED_DATA")
    params = dict(args.param)

    print(f"sk_embed {sk_embed.__version__} from {os.path.dirname(sk_embed.__file__)}")
    print(
        f"{'data set':<12} {'model':<34} {'score':>7} {'fit s':>7} {'/ peer':>7}"
        f" {'cv mean':>7} {'cv s':>7} {'/ peer':>7}"
    )
    for name in args.only or DATASETS:
        data = load_dataset(name, args.data_home)
        multilabel = name in MULTILABEL_SETS
        characters = name == "chnsenticorp"
        models = {
            "peer": lambda: peer(multilabel, characters),
            "make_text_classifier()": lambda: make_text_classifier(
                random_state=0, **params
            ),
        }
        if args.conv1d and name not in LONG_TEXT_SETS:
            models["  conv1d, max pooling"] = lambda: make_text_classifier(
                random_state=0, **{**params, "encoder": "conv1d", "pooling": "max"}
            )
        results = {}
        for label, factory in models.items():
            factory().fit(*data[:2])  # the warm-up fit
            fit = fit_and_score(factory, data)
            cv = cross_validate(factory, data, args.folds, multilabel)
            results[label] = (fit, cv)
        peer_fit, peer_cv = results.pop("peer")
        print_row(name, "TF-IDF + LogisticRegression(C=4)", peer_fit, peer_cv, None, None)
        default_fit = results["make_text_classifier()"][0]
        for label, (fit, cv) in results.items():
            print_row(name, label, fit, cv, peer_fit, peer_cv)
            if label.startswith("  conv1d"):
                print(f"{'':<12} {'  fit / the default fit':<34} {fit[0] / default_fit[0]:>15.2f}")
        if name == args.profile:
            profile_fit(models["make_text_classifier()"], data)


if __name__ == "__main__":
    main()
