"""
The IMDB seed model as a scikit-learn pipeline
==============================================

The classic Keras lesson, end to end from raw text: the 10,000 most frequent
words, every review cut to its last 20 tokens, then
``Embedding(10000, 8) -> Flatten -> Dense(32, relu) -> Dense(1, sigmoid)``
trained with rmsprop for 10 epochs of batch 32, with 20% of the training
reviews held out for validation. The book reports 0.7119 test accuracy.

The script then runs a small grid search over the sequence length and the
embedding size, the two knobs the book suggests turning next.

Run it with the data in ``$SK_EMBED_DATA`` (or ``--data-home``)::

    python examples/plot_imdb_seed.py --data-home ../shared/data
"""

# %%
# Load the reviews
# ----------------
# ``fetch_imdb`` reads the Large Movie Review Dataset (an archive or an
# extracted ``aclImdb/`` folder) and caches what it parsed.
import argparse
import sys

import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sk_embed import (
    PadTransformer,
    SequenceEmbeddingClassifier,
    SequenceTokenizer,
    plot_history,
)
from sk_embed.datasets import fetch_imdb


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="The IMDB seed model as a scikit-learn pipeline."
    )
    parser.add_argument("--data-home", help="folder with the IMDB data")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument(
        "--no-grid", action="store_true", help="skip the grid search"
    )
    parser.add_argument(
        "--curves",
        default="imdb_seed_curves.png",
        help="where to save the training curves (PNG)",
    )
    parser.add_argument(
        "--grid-samples",
        type=int,
        default=None,
        help="train the grid search on this many reviews (default: all)",
    )
    # sphinx-gallery runs the script with its own argv: ignore what is unknown.
    args, _ = parser.parse_known_args(argv)
    return args


def load(data_home):
    # Shuffled like keras.datasets.imdb (the archive lists every negative
    # review before the positive ones), so mini-batches and vocabulary ties
    # follow the book's recipe; validation_split draws its rows at random.
    try:
        return (
            fetch_imdb(subset="train", data_home=data_home, shuffle=True, random_state=0),
            fetch_imdb(subset="test", data_home=data_home),
        )
    except OSError as error:
        sys.exit(f"Cannot run the IMDB example: {error}")


def seed_pipeline(epochs, verbose):
    return make_pipeline(
        SequenceTokenizer(num_words=10_000),
        PadTransformer(maxlen=20),
        SequenceEmbeddingClassifier(
            epochs=epochs, validation_split=0.2, random_state=0, verbose=verbose
        ),
    )


# %%
# Fit the seed model
# ------------------
# ``verbose=2`` prints Keras' one-line-per-epoch progress.
def run_seed(train, test, epochs):
    pipe = seed_pipeline(epochs, verbose=2)
    pipe.fit(train.data, train.target)
    history = pipe[-1].history_
    print("\nepoch  val_loss  val_accuracy")
    for epoch, (loss, accuracy) in enumerate(
        zip(history["val_loss"], history["val_accuracy"]), start=1
    ):
        print(f"{epoch:5d}  {loss:8.4f}  {accuracy:12.4f}")
    accuracy = pipe.score(test.data, test.target)
    print(f"\nTest accuracy: {accuracy:.4f} (the book: 0.7119)")
    return pipe


# %%
# Training curves
# ---------------
# As in the book: validation loss rises after two epochs while training loss
# keeps falling, the model overfits its 20-token view of each review.
def save_curves(pipe, path):
    try:
        figure, _ = plot_history(pipe)
    except ImportError as error:
        print(f"Training curves skipped: {error}")
        return
    figure.savefig(path, dpi=100)
    print(f"Training curves saved to {path}")


# %%
# Search the sequence length and embedding size
# ---------------------------------------------
# Every step parameter is a grid-search parameter.
def run_grid(train, epochs, n_samples):
    data, target = train.data, train.target
    if n_samples is not None:
        order = np.random.RandomState(0).permutation(len(data))[:n_samples]
        data, target = [data[i] for i in order], target[order]
    search = GridSearchCV(
        seed_pipeline(epochs, verbose=0),
        {
            "padtransformer__maxlen": [20, 100],
            "sequenceembeddingclassifier__embedding_dim": [8, 32],
        },
        cv=3,
        n_jobs=2,
    )
    search.fit(data, target)
    table = pd.DataFrame(search.cv_results_)[
        [
            "param_padtransformer__maxlen",
            "param_sequenceembeddingclassifier__embedding_dim",
            "mean_test_score",
            "std_test_score",
            "mean_fit_time",
        ]
    ].rename(columns=lambda name: name.replace("param_", "").split("__")[-1])
    print("\nGrid search (3-fold cross-validation on the training reviews):")
    print(table.sort_values("mean_test_score", ascending=False).to_string(index=False))
    return search


def main(argv=None):
    args = parse_args(argv)
    train, test = load(args.data_home)
    print(f"{len(train.data)} training and {len(test.data)} test reviews")
    pipe = run_seed(train, test, args.epochs)
    save_curves(pipe, args.curves)
    if not args.no_grid:
        run_grid(train, args.epochs, args.grid_samples)


if __name__ == "__main__":
    main()
