"""Repeated fits of one architecture: cross-validation with and without
sk_embed's cached trainers.

A Keras model traces its train step on its first fit; a small network pays
more for that than for its training. ``sk_embed._keras._trainers`` trains each
later fit of the same architecture on a cached compiled copy instead. This
script runs ``cross_val_score`` (5 folds, so 5 fits of the same network,
then 5 more in a second call) for a few networks, in one process:

- ``retrace``: every fit traces its own train step, as a plain Keras model
  does (the cache switched off);
- ``cached``: the default.

With the sentence sets available, a last row times one 5-fold
``cross_val_score`` of ``make_text_classifier()`` on Subj's raw texts (as
``bench_datasets.py`` reads them): a network of 4.1 million weights, which
trains on itself in its first fit and on a cached trainer from the second.

It prints seconds per fit and the ratio ``cached / retrace`` (lower is
faster), and checks that both give the same fold scores: the cache changes
the speed, not the model.

Usage::

    python benchmarks/bench_repeated_fits.py [--data-home PATH] [--rows 2000]

With IMDB available (``--data-home`` or ``SK_EMBED_DATA``) the data are the
first ``--rows`` tokenized training reviews cut to 20 tokens; otherwise
random ids of the same shape.
"""

import argparse
import os
import time

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

from sk_embed import (
    PadTransformer,
    SequenceEmbeddingClassifier,
    SequenceTokenizer,
    make_text_classifier,
)
from sk_embed._keras import _trainers

NETWORKS = {
    "seed (Flatten)": dict(),
    "average pooling": dict(pooling="average", hidden_units=()),
    "bidirectional GRU": dict(encoder="gru", bidirectional=True, encoder_units=16),
}


def load_arrays(data_home, n_rows):
    try:
        from sk_embed.datasets import fetch_imdb

        train = fetch_imdb("train", data_home=data_home, shuffle=True, random_state=0)
        texts, target = train.data[:n_rows], train.target[:n_rows]
        sequences = SequenceTokenizer(num_words=10_000).fit_transform(texts)
        return PadTransformer(maxlen=20).fit_transform(sequences), target, "IMDB"
    except OSError:
        rng = np.random.RandomState(0)
        X = rng.randint(0, 10_000, size=(n_rows, 20)).astype("int32")
        return X, (X[:, -1] > 5_000).astype(int), "random ids"


def load_sentences(data_home):
    """Subj's training texts and labels, or None without the sentence sets."""
    from bench_datasets import load_dataset  # this script's neighbour

    if data_home is None:
        return None
    try:
        texts, target, _, _ = load_dataset("subj", data_home)
    except OSError:
        return None
    return texts, target


def time_cross_validation(estimator, X, y, cached, repeats=2):
    """Seconds per fit over ``repeats`` 5-fold cross-validations, and the
    scores."""
    _trainers.clear_trainers()
    limit = _trainers.MAX_TRAINER_PARAMETERS
    _trainers.MAX_TRAINER_PARAMETERS = limit if cached else -1
    try:
        folds = StratifiedKFold(5)
        start = time.perf_counter()
        scores = [cross_val_score(estimator, X, y, cv=folds) for _ in range(repeats)]
        return (time.perf_counter() - start) / (5 * repeats), np.concatenate(scores)
    finally:
        _trainers.MAX_TRAINER_PARAMETERS = limit


def print_row(name, estimator, X, y, repeats=2):
    retrace, retrace_scores = time_cross_validation(estimator, X, y, False, repeats)
    cached, cached_scores = time_cross_validation(estimator, X, y, True, repeats)
    same = np.array_equal(retrace_scores, cached_scores)
    print(
        f"| {name} | {retrace:.2f} | {cached:.2f} | {cached / retrace:.2f} "
        f"| {'yes' if same else 'NO'} |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("SK_EMBED_DATA"))
    parser.add_argument("--rows", type=int, default=2_000)
    args = parser.parse_args()
    X, y, source = load_arrays(args.data_home, args.rows)
    print(f"{source}: {X.shape[0]} rows x {X.shape[1]} ids, 3 epochs, 2 x 5 folds")
    print("| network | retrace s/fit | cached s/fit | cached / retrace | same scores |")
    print("| --- | --- | --- | --- | --- |")
    for name, params in NETWORKS.items():
        clf = SequenceEmbeddingClassifier(epochs=3, random_state=0, **params)
        print_row(name, clf, X, y)
    sentences = load_sentences(args.data_home)
    if sentences is not None:
        clf = make_text_classifier(random_state=0)
        print_row("make_text_classifier(), Subj, 1 x 5 folds", clf, *sentences, 1)


if __name__ == "__main__":
    main()
