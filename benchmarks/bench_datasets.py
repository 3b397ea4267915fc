"""make_text_classifier() against TF-IDF + LogisticRegression on six data sets.

Usage::

    python benchmarks/bench_datasets.py [--data-home DIR] [--seeds 0 1 2]
        [--only subj --only custrev ...] [--param batch_size=512 ...]
        [--train-rows 1000] [--holdout 1]

The data sets, all read from ``--data-home`` (default: ``$SK_EMBED_DATA``):

- IMDB (``aclImdb_labeled.tar.gz``): 25,000 training and 25,000 test
  reviews of 230 words on average, 2 classes;
- the five sentence sets of ``sentences/`` (see its README): Subj, CR and
  MPQA on a stratified 80/20 split drawn with ``random_state=0`` (they have
  no official split), SST-2 and SST-5 on their official train and test
  files (the dev files are not used).

Each model is fitted and scored in this one process on the same texts; the
table gives test accuracy, fit and predict seconds (tokenization included),
and ours against the peer of the same data set: the accuracy difference and
the fit and predict time ratios. ``--seeds`` fits ours once per seed.
``--param name=value`` overrides a parameter of ours (as
``make_text_classifier(name=value)``), to compare another setting with the
same peer. ``--train-rows N`` fits both on a stratified draw of N rows of
each training part (``random_state=0``), to see the default with little
data; the test rows stay the same. ``--holdout S`` leaves the test rows
unused: both models fit on a stratified 80% of each training part and are
scored on the other 20%, drawn with ``random_state=S``; this is how to
compare settings before choosing one (run several ``S``: on these sets
two draws can differ by more than a point). The last row of each table
gives the published accuracies of Kim (2014)'s CNN with random initial
embeddings, from the sentences README (left out with ``--train-rows`` and
``--holdout``).
"""

import argparse
import ast
import os
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sk_embed import make_text_classifier

#: Sets with no official split: a stratified 80/20 split of this file.
SPLIT_SETS = {"subj": "subj.all", "custrev": "custrev.all", "mpqa": "mpqa.all"}
#: Sets with official training and test files.
OFFICIAL_SETS = {"sst2": "stsa.binary", "sst5": "stsa.fine"}
DATASETS = ["imdb", *SPLIT_SETS, *OFFICIAL_SETS]
#: Kim (2014), CNN-rand: test accuracy (or 10-fold CV), from sentences/README.md.
CNN_RAND = {"subj": 0.896, "custrev": 0.798, "mpqa": 0.834, "sst2": 0.837, "sst5": 0.450}


def read_sentences(path):
    """Texts and integer labels of a ``LABEL TEXT`` file, one example a line.

    A few lines of CR and MPQA hold a label and no text: they are kept, as
    empty texts, so the row counts are those the sets are published with.
    """
    texts, labels = [], []
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            label, _, text = line.strip().partition(" ")
            if label:
                texts.append(text)
                labels.append(int(label))
    return texts, np.array(labels)


def split_80_20(texts, labels, seed):
    """A stratified 80/20 split drawn with ``random_state=seed``, in the
    order ``load_dataset`` returns a set: ``(train_texts, train_labels,
    test_texts, test_labels)``. Of a whole file for the sets without an
    official split; of a training part for ``--holdout``.
    """
    train_texts, test_texts, train_labels, test_labels = train_test_split(
        texts, labels, test_size=0.2, stratify=labels, random_state=seed
    )
    return train_texts, train_labels, test_texts, test_labels


def load_dataset(name, data_home):
    """``(train_texts, train_labels, test_texts, test_labels)`` of a set."""
    if name == "imdb":
        from sk_embed.datasets import fetch_imdb

        train = fetch_imdb(subset="train", data_home=data_home)
        test = fetch_imdb(subset="test", data_home=data_home)
        return train.data, train.target, test.data, test.target
    folder = Path(data_home) / "sentences"
    if name in SPLIT_SETS:
        return split_80_20(*read_sentences(folder / SPLIT_SETS[name]), seed=0)
    stem = folder / OFFICIAL_SETS[name]
    return (
        *read_sentences(f"{stem}.train"),
        *read_sentences(f"{stem}.test"),
    )


def subsample(texts, labels, n_rows):
    """A stratified draw of ``n_rows`` of the texts (``random_state=0``)."""
    texts, _, labels, _ = train_test_split(
        texts, labels, train_size=n_rows, stratify=labels, random_state=0
    )
    return texts, labels


def peer():
    """The linear peer every comparison of this project uses."""
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=4, max_iter=1000),
    )


def measure(model, train_texts, train_labels, test_texts, test_labels):
    """Test accuracy, fit seconds and predict seconds of ``model``."""
    start = time.perf_counter()
    model.fit(train_texts, train_labels)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(test_texts)
    predict_s = time.perf_counter() - start
    return float(np.mean(predicted == np.asarray(test_labels))), fit_s, predict_s


def parse_param(text):
    """``name=value`` with a Python literal value (a bare word is a string)."""
    name, _, value = text.partition("=")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("SK_EMBED_DATA"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--only", action="append", choices=DATASETS)
    parser.add_argument("--param", action="append", type=parse_param, default=[])
    parser.add_argument("--train-rows", type=int, default=None)
    parser.add_argument("--holdout", type=int, default=None, metavar="S")
    args = parser.parse_args(argv)
    if not args.data_home:
        parser.error("give --data-home or set SK_EMBED_DATA")
    params = dict(args.param)

    print(
        f"{'data set':<8} {'train':>6} {'model':<30} {'accuracy':>8} {'fit s':>6}"
        f" {'predict s':>9} {'acc - peer':>10} {'fit / peer':>10}"
        f" {'predict / peer':>14}"
    )
    for name in args.only or DATASETS:
        train_texts, train_labels, test_texts, test_labels = load_dataset(
            name, args.data_home
        )
        if args.train_rows:
            train_texts, train_labels = subsample(
                train_texts, train_labels, args.train_rows
            )
        data = (train_texts, train_labels, test_texts, test_labels)
        if args.holdout is not None:
            data = split_80_20(train_texts, train_labels, seed=args.holdout)
        rows = [("TF-IDF + LogisticRegression(C=4)", peer)] + [
            (
                f"make_text_classifier(seed={seed})",
                lambda seed=seed: make_text_classifier(random_state=seed, **params),
            )
            for seed in args.seeds
        ]
        peer_result = None
        for label, factory in rows:
            accuracy, fit_s, predict_s = measure(factory(), *data)
            peer_result = peer_result or (accuracy, fit_s, predict_s)
            print(
                f"{name:<8} {len(data[0]):>6} {label:<30} {accuracy:>8.4f}"
                f" {fit_s:>6.2f} {predict_s:>9.2f}"
                f" {accuracy - peer_result[0]:>+10.4f}"
                f" {fit_s / peer_result[1]:>10.2f} {predict_s / peer_result[2]:>14.2f}",
                flush=True,
            )
        # Published on all training rows, scored on the test rows.
        if name in CNN_RAND and not args.train_rows and args.holdout is None:
            print(
                f"{name:<8} {'':>6} {'published: Kim (2014) CNN-rand':<30}"
                f" {CNN_RAND[name]:>8.4f} {'':>6} {'':>9}"
                f" {CNN_RAND[name] - peer_result[0]:>+10.4f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
