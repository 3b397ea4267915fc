"""Issue 36 experiments: settings of make_text_classifier on held-out
training rows (``--holdout S`` of bench_datasets.py), never on test rows.

Usage::

    python benchmarks/exp36.py --data-home DIR --sets subj custrev \
        --holdouts 1 2 3 --variants base decay ...

Each (set, holdout) is the stratified 80/20 split of the set's *training*
part drawn with ``random_state=S``, as ``bench_datasets.py --holdout S``.
The peer (TF-IDF + LogisticRegression(C=4)) is fitted once per (set,
holdout) and cached in ``_exp36_peer.json``; each variant's score, fit
seconds and difference to the peer are appended to ``_exp36.jsonl``.

Besides the shared sets, ``last2`` and ``last8`` are the last sentence of
each of IMDB's 50,000 labelled reviews (training and test reviews: a task
of its own, not IMDB's) with the review's sentiment (2 classes) or rating
(8 classes): 40,000 training rows in a holdout, more than the 25,600 from
which batch_size="auto" gives more than 50 steps per epoch.
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from bench_datasets import (
    CHARACTER_PEER_SETS,
    MULTILABEL_SETS,
    load_dataset,
    measure,
    peer,
    split_80_20,
)
from bench_short_texts import last_sentence
from sk_embed import _auto, make_text_classifier

HERE = Path(__file__).parent
PEER_CACHE = HERE / "_exp36_peer.json"
RESULTS = HERE / "_exp36.jsonl"

SELECT = dict(fraction=0.1, max_epochs=8, patience=2, metric="loss")
VARIANTS = {
    "base": ({}, {}),
    "fixed4": (dict(epochs=4), {}),
    "ruleA": ({}, dict(steps_target=200)),
    "ruleA6": ({}, dict(steps_target=200, max_epochs=6)),
    "decay": ({}, dict(lr_decay=True)),
    "decay_e6": (dict(epochs=6), dict(lr_decay=True)),
    "decay_e8": (dict(epochs=8), dict(lr_decay=True)),
    "decay_lr01": (dict(learning_rate=0.01), dict(lr_decay=True)),
    "decay_lr01_e6": (dict(learning_rate=0.01, epochs=6), dict(lr_decay=True)),
    "e2": (dict(epochs=2), {}),
    "b1024": (dict(batch_size=1024), {}),
    "b1024_lr012": (dict(batch_size=1024, learning_rate=0.012), {}),
    "e3": (dict(epochs=3), {}),
    "e6": (dict(epochs=6), {}),
    "avg2": ({}, dict(average_from=2)),
    "avg_e6_3": (dict(epochs=6), dict(average_from=3)),
    "select": ({}, dict(select=SELECT)),
    "select_acc": ({}, dict(select=dict(SELECT, metric="accuracy"))),
    "select_p1": ({}, dict(select=dict(SELECT, patience=1))),
    "conv": (dict(encoder="conv1d", pooling="max"), {}),
    "conv4": (dict(encoder="conv1d", pooling="max", epochs=4), {}),
    "choose": ({}, dict(choose=dict(fraction=0.1, max_epochs=8, patience=2))),
    "choose_p1": ({}, dict(choose=dict(fraction=0.1, max_epochs=8, patience=1))),
    "choose_m6": ({}, dict(choose=dict(fraction=0.1, max_epochs=6, patience=2))),
    "choose_m4p1": ({}, dict(choose=dict(fraction=0.1, max_epochs=4, patience=1))),
    "choose_m6p1": ({}, dict(choose=dict(fraction=0.1, max_epochs=6, patience=1))),
    "keep_p1": ({}, dict(choose=dict(fraction=0.1, max_epochs=8, patience=1, refit=False))),
    "keep_p2": ({}, dict(choose=dict(fraction=0.1, max_epochs=8, patience=2, refit=False))),
}


def load(name, data_home):
    if name in ("last2", "last8", "last2h", "last8h"):
        from sk_embed.datasets import fetch_imdb

        texts, labels = [], []
        for subset in ("train", "test") if name[-1] != "h" else ("train",):
            bunch = fetch_imdb(subset=subset, data_home=data_home)
            texts += [last_sentence(review) for review in bunch.data]
            labels.append(bunch.target if name.startswith("last2") else bunch.rating)
        return texts, np.concatenate(labels)
    train_texts, train_labels, _, _ = load_dataset(name, data_home)
    return train_texts, train_labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-home", default=os.environ.get("SK_EMBED_DATA"))
    parser.add_argument("--sets", nargs="+", required=True)
    parser.add_argument("--holdouts", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--variants", nargs="+", default=["base"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="")
    parser.add_argument("--held-out", type=float, default=None)
    args = parser.parse_args()
    if args.held_out is not None:
        _auto.AUTO_HELD_OUT_FRACTION = args.held_out
    cache = json.loads(PEER_CACHE.read_text()) if PEER_CACHE.exists() else {}
    experiments = hasattr(_auto, "EXPERIMENT")  # only at commit 1bcfa70
    defaults = dict(_auto.EXPERIMENT) if experiments else {}
    for name in args.sets:
        texts, labels = load(name, args.data_home)
        for holdout in args.holdouts:
            data = split_80_20(texts, labels, seed=holdout)
            key = f"{name}/{holdout}"
            if key not in cache:
                result = measure(
                    peer(name in MULTILABEL_SETS, name in CHARACTER_PEER_SETS), *data
                )
                cache[key] = result[:3]
                PEER_CACHE.write_text(json.dumps(cache, indent=0))
            peer_score, peer_fit = cache[key][:2]
            for variant in args.variants:
                params, experiment = VARIANTS[variant]
                if experiments:
                    _auto.EXPERIMENT.clear()
                    _auto.EXPERIMENT.update(defaults, **experiment)
                elif experiment:
                    continue
                model = make_text_classifier(random_state=args.seed, **params)
                score, fit_s, _, _ = measure(model, *data)
                clf = model[-1]
                row = dict(
                    set=name, holdout=holdout, variant=variant + args.tag,
                    score=score, fit_s=fit_s, peer=peer_score, peer_fit_s=peer_fit,
                    diff=score - peer_score, epochs=clf.epochs_,
                    batch=clf.batch_size_, n=len(data[0]), seed=args.seed,
                    selection=getattr(clf, "selection_scores_", None)
                    or [-v for v in getattr(clf, "held_out_log_loss_", None)
                        or getattr(clf, "held_out_loss_", None) or []] or None,
                    time=time.strftime("%H:%M:%S"),
                )
                with RESULTS.open("a") as out:
                    out.write(json.dumps(row) + "\n")
                print(
                    f"{name:<12} {holdout} {variant + args.tag:<16} {score:.4f}"
                    f" {score - peer_score:+.4f} fit {fit_s:6.2f}"
                    f" (peer {peer_fit:5.2f}) epochs {clf.epochs_}"
                    + (f" sel {np.round(row['selection'], 4).tolist()}"
                       if row["selection"] else ""),
                    flush=True,
                )


if __name__ == "__main__":
    main()
