"""IMDB test accuracy of make_text_classifier() vs the seed config and TF-IDF+LR.

Usage: python benchmarks/bench_imdb_accuracy.py [--data-home DIR]

All three models are fitted on the 25k training reviews and scored on the
25k test reviews in the same run, so timings are comparable.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sk_embed import (  # noqa: E402
    PadTransformer,
    SequenceEmbeddingClassifier,
    SequenceTokenizer,
)
from sk_embed import make_text_classifier  # noqa: E402
from sk_embed.datasets import fetch_imdb  # noqa: E402


def seed_pipeline():
    return make_pipeline(
        SequenceTokenizer(num_words=10000),
        PadTransformer(maxlen=20),
        SequenceEmbeddingClassifier(validation_split=0.2, random_state=0),
    )


def tfidf_lr():
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(max_iter=1000),
    )


def measure(model, train, test):
    start = time.perf_counter()
    model.fit(train.data, train.target)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    pred = model.predict(test.data)
    predict_s = time.perf_counter() - start
    return accuracy_score(test.target, pred), fit_s, predict_s


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default="/work/shared/data")
    parser.add_argument(
        "--only", choices=["seed", "ours", "tfidf"], action="append",
        help="run only these models (repeatable); default all three",
    )
    args = parser.parse_args(argv)

    train = fetch_imdb(subset="train", data_home=args.data_home, shuffle=True, random_state=0)
    test = fetch_imdb(subset="test", data_home=args.data_home)

    models = {
        "seed": ("seed (num_words=10000, maxlen=20)", seed_pipeline),
        "ours": ("make_text_classifier()", lambda: make_text_classifier(random_state=0)),
        "tfidf": ("TF-IDF(1,2)+LogisticRegression", tfidf_lr),
    }
    selected = args.only or list(models)
    results = {}
    print(f"{'model':<36} {'test acc':>9} {'fit s':>8} {'predict s':>10}")
    for key in selected:
        label, factory = models[key]
        acc, fit_s, predict_s = measure(factory(), train, test)
        results[key] = acc
        print(f"{label:<36} {acc:>9.4f} {fit_s:>8.1f} {predict_s:>10.1f}", flush=True)
    if "ours" in results and "tfidf" in results:
        print(f"accuracy ratio ours / TF-IDF+LR: {results['ours'] / results['tfidf']:.4f}")


if __name__ == "__main__":
    main()
