"""make_text_classifier() against TF-IDF + LogisticRegression on nine data sets.

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
  files (the dev files are not used);
- Banking77 (``intents/``): 10,003 training and 3,080 test online-banking
  queries, 77 intents, official split;
- NLU++ banking (``intents/nlupp_banking/``): 1,658 training turns (folds
  0-15) and 413 test turns (folds 16-19), each with any number of 48 intent
  labels: a multi-label set, fitted on the ``MultiLabelBinarizer`` matrix of
  the training labels. The peer is then one logistic regression per label
  (``OneVsRestClassifier``) on the same TF-IDF features, and the score is
  the micro-averaged F1 (the subset accuracy, the share of turns whose
  labels are all right, follows in its own row);
- ChnSentiCorp (``languages/``): 9,600 training and 1,200 test Chinese
  reviews, 2 classes. Chinese has no spaces between words, so the peer
  there reads character 2- to 5-grams (``analyzer="char_wb"``), the
  stronger of the two linear models on it.

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
import csv
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from sk_embed import make_text_classifier

#: Sets with no official split: a stratified 80/20 split of this file.
SPLIT_SETS = {"subj": "subj.all", "custrev": "custrev.all", "mpqa": "mpqa.all"}
#: Sets with official training and test files.
OFFICIAL_SETS = {"sst2": "stsa.binary", "sst5": "stsa.fine"}
#: The multi-label set; the others have one class per text.
MULTILABEL_SETS = ("nlupp",)
#: Sets whose peer reads character n-grams: in a language written without
#: spaces, TF-IDF of words sees each clause as one word.
CHARACTER_PEER_SETS = ("chnsenticorp",)
DATASETS = [
    "imdb", *SPLIT_SETS, *OFFICIAL_SETS, "banking77", *MULTILABEL_SETS,
    *CHARACTER_PEER_SETS,
]  # fmt: skip
#: Published test accuracies, from the data's READMEs: Kim (2014)'s CNN with
#: random initial embeddings (test accuracy or 10-fold CV) on the sentence
#: sets, and for Banking77 BERT as a frozen sentence encoder with a
#: classifier on top (Casanueva et al., 2020), the closest to a model
#: trained from scratch.
PUBLISHED = {
    "subj": ("Kim (2014) CNN-rand", 0.896),
    "custrev": ("Kim (2014) CNN-rand", 0.798),
    "mpqa": ("Kim (2014) CNN-rand", 0.834),
    "sst2": ("Kim (2014) CNN-rand", 0.837),
    "sst5": ("Kim (2014) CNN-rand", 0.450),
    "banking77": ("frozen BERT + classifier", 0.872),
    "chnsenticorp": ("ERNIE 1.0 (pretrained)", 0.95),
}
#: Folds of NLU++ banking used for training; the others are the test part.
NLUPP_TRAIN_FOLDS = range(16)
NLUPP_FOLDS = 20


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


def read_banking77(path):
    """Texts and intent names of a Banking77 CSV file (``text,category``)."""
    with open(path, encoding="utf-8", newline="") as rows:
        pairs = [(row["text"], row["category"]) for row in csv.DictReader(rows)]
    texts, labels = zip(*pairs)
    return list(texts), np.array(labels)


def read_chnsenticorp(path):
    """Texts and labels of a ChnSentiCorp file: ``TEXT<TAB>LABEL`` lines,
    split at the last tab (a review may hold tabs)."""
    with open(path, encoding="utf-8") as lines:
        pairs = [line.rstrip("\n").rpartition("\t")[::2] for line in lines]
    texts, labels = zip(*pairs)
    return list(texts), np.array(labels)


def read_nlupp(folder, folds):
    """Texts and label lists of the NLU++ turns of ``folds`` (a turn may
    have no ``intents`` key: no label)."""
    texts, labels = [], []
    for fold in folds:
        with open(Path(folder) / f"fold{fold}.json", encoding="utf-8") as turns:
            for turn in json.load(turns):
                texts.append(turn["text"])
                labels.append(turn.get("intents", []))
    return texts, labels


def split_80_20(texts, labels, seed):
    """An 80/20 split drawn with ``random_state=seed``, in the order
    ``load_dataset`` returns a set: ``(train_texts, train_labels,
    test_texts, test_labels)``. Of a whole file for the sets without an
    official split; of a training part for ``--holdout``. Stratified by
    class, but for a multi-label indicator matrix, whose rows are no
    classes.
    """
    stratify = labels if np.ndim(labels) == 1 else None
    train_texts, test_texts, train_labels, test_labels = train_test_split(
        texts, labels, test_size=0.2, stratify=stratify, random_state=seed
    )
    return train_texts, train_labels, test_texts, test_labels


def load_dataset(name, data_home):
    """``(train_texts, train_labels, test_texts, test_labels)`` of a set."""
    if name == "imdb":
        from sk_embed.datasets import fetch_imdb

        train = fetch_imdb(subset="train", data_home=data_home)
        test = fetch_imdb(subset="test", data_home=data_home)
        return train.data, train.target, test.data, test.target
    if name == "banking77":
        folder = Path(data_home) / "intents"
        return (
            *read_banking77(folder / "banking77_train.csv"),
            *read_banking77(folder / "banking77_test.csv"),
        )
    if name == "chnsenticorp":
        folder = Path(data_home) / "languages"
        return (
            *read_chnsenticorp(folder / "chnsenticorp_train.tsv"),
            *read_chnsenticorp(folder / "chnsenticorp_test.tsv"),
        )
    if name == "nlupp":
        folder = Path(data_home) / "intents" / "nlupp_banking"
        train_texts, train_labels = read_nlupp(folder, NLUPP_TRAIN_FOLDS)
        test_folds = sorted(set(range(NLUPP_FOLDS)) - set(NLUPP_TRAIN_FOLDS))
        test_texts, test_labels = read_nlupp(folder, test_folds)
        # Labels seen only in the test part cannot be predicted: ignored.
        binarizer = MultiLabelBinarizer().fit(train_labels)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "unknown class", UserWarning)
            test_y = binarizer.transform(test_labels)
        return train_texts, binarizer.transform(train_labels), test_texts, test_y
    folder = Path(data_home) / "sentences"
    if name in SPLIT_SETS:
        return split_80_20(*read_sentences(folder / SPLIT_SETS[name]), seed=0)
    stem = folder / OFFICIAL_SETS[name]
    return (
        *read_sentences(f"{stem}.train"),
        *read_sentences(f"{stem}.test"),
    )


def subsample(texts, labels, n_rows):
    """A draw of ``n_rows`` of the texts (``random_state=0``), stratified
    by class but for a multi-label indicator matrix."""
    stratify = labels if np.ndim(labels) == 1 else None
    texts, _, labels, _ = train_test_split(
        texts, labels, train_size=n_rows, stratify=stratify, random_state=0
    )
    return texts, labels


def peer(multilabel=False, characters=False):
    """The linear peer every comparison of this project uses; for a
    multi-label target, one logistic regression per label on the same
    features (as ``OneVsRestClassifier(peer())``, without fitting the
    vectorizer once per label). ``characters`` makes it read the 2- to
    5-grams of characters within words (``analyzer="char_wb"``, at most
    500,000 of them) instead of word 1- and 2-grams."""
    classifier = LogisticRegression(C=4, max_iter=1000)
    if characters:
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
            max_features=500_000,
        )  # fmt: skip
    else:
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    return make_pipeline(
        vectorizer, OneVsRestClassifier(classifier) if multilabel else classifier
    )


def measure(model, train_texts, train_labels, test_texts, test_labels):
    """Test score, fit seconds, predict seconds and predictions of ``model``.

    The score is the accuracy, or for a multi-label indicator matrix the
    micro-averaged F1 over labels (``subset_accuracy`` gives the other
    score of such a set).
    """
    start = time.perf_counter()
    model.fit(train_texts, train_labels)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(test_texts)
    predict_s = time.perf_counter() - start
    return score(test_labels, predicted), fit_s, predict_s, predicted


def score(y_true, y_pred):
    """Accuracy, or the micro-averaged F1 of a multi-label indicator matrix."""
    if np.ndim(y_true) == 2:
        return float(f1_score(y_true, y_pred, average="micro", zero_division=0))
    return float(accuracy_score(y_true, y_pred))


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
        f"{'data set':<12} {'train':>6} {'model':<40} {'score':>7} {'fit s':>6}"
        f" {'predict s':>9} {'- peer':>7} {'fit / peer':>10}"
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
        multilabel = name in MULTILABEL_SETS
        characters = name in CHARACTER_PEER_SETS
        rows = [
            (
                f"TF-IDF{' char_wb' * characters} + LogisticRegression(C=4)",
                lambda: peer(multilabel, characters),
            )
        ] + [
            (
                f"make_text_classifier(seed={seed})",
                lambda seed=seed: make_text_classifier(random_state=seed, **params),
            )
            for seed in args.seeds
        ]
        peer_result = None
        for label, factory in rows:
            result = measure(factory(), *data)
            peer_result = peer_result or result
            print_row(name, len(data[0]), label, result, peer_result)
            if multilabel:
                print_row(
                    name, "", "  subset accuracy", subset_accuracy(data[3], result),
                    subset_accuracy(data[3], peer_result),
                )
        # Published on all training rows, scored on the test rows.
        if name in PUBLISHED and not args.train_rows and args.holdout is None:
            model, published = PUBLISHED[name]
            print_row(name, "", f"published: {model}", (published,), peer_result)


def subset_accuracy(y_true, result):
    """``result`` of a multi-label set scored by subset accuracy instead."""
    predicted = result[3]
    return (accuracy_score(y_true, predicted), *result[1:])


def print_row(name, n_rows, label, result, peer_result):
    """One row of the table: ``result`` is ``(score, fit s, predict s, ...)``,
    or ``(score,)`` for a published figure."""
    cells = f"{name:<12} {n_rows:>6} {label:<40} {result[0]:>7.4f}"
    if len(result) > 1:
        fit_s, predict_s = result[1:3]
        cells += f" {fit_s:>6.2f} {predict_s:>9.2f}"
    else:
        cells += f" {'':>6} {'':>9}"
    cells += f" {result[0] - peer_result[0]:>+7.4f}"
    if len(result) > 1:
        cells += (
            f" {result[1] / peer_result[1]:>10.2f}"
            f" {result[2] / peer_result[2]:>14.2f}"
        )
    print(cells, flush=True)

if __name__ == "__main__":
    main()
