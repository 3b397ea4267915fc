"""The epoch count that ``epochs="auto"`` chooses on held-out rows.

Kept apart from the estimators' base: one idea, the choice, whose training
is a trial that leaves the network as it was built (see ``_auto`` for the
rule and its figures).
"""

import numpy as np

from ._auto import AUTO_PATIENCE, held_out_split
from ._keras._prediction import predict_in_chunks
from ._keras._trainers import copy_weights, restore_values, saved_values
from ._utils._validation import model_ids


def choose_epochs(estimator, X, y, sample_weight, data_seeds):
    """The number of epochs to train ``estimator.model_`` (new) on every
    row, and the held-out log-loss after each epoch it was chosen on.

    ``model_`` is trained on most rows, one epoch at a time, until the
    log-loss of the held-out others has not improved for ``AUTO_PATIENCE``
    epochs (or ``epochs_`` are done); the epoch count of the lowest is
    returned. ``model_`` is left as it was built (weights, optimizer and
    dropout seeds: the training is a trial, see ``trainer_for``, and the
    weights ``model_`` scored the held-out rows with are put back), so
    that the fit on every row is the fit of that many epochs, and reuses
    the traced functions of this one.
    """
    model = estimator.model_
    inner, held_out = held_out_split(y, data_seeds[1])
    classes = np.unique(y)
    codes = np.searchsorted(classes, y[held_out])
    held_out_ids = model_ids(X[held_out], estimator.vocab_size_)
    held_out_weight = None if sample_weight is None else sample_weight[held_out]
    initial_weights = saved_values(model.weights)
    losses = []

    def watch(trained):
        # The trained network may be a trainer standing in for model_ (see
        # _trainers), of open width: model_ predicts, with its weights, as
        # it will once trained on every row.
        if trained is not model:
            copy_weights(trained, model)
        proba = predict_in_chunks(model, held_out_ids).astype(np.float64)
        if proba.shape[1] == 1:  # one sigmoid unit: the second class
            proba = np.hstack([1.0 - proba, proba])
        right = np.clip(proba[np.arange(len(codes)), codes], 1e-7, 1.0)
        losses.append(float(np.average(-np.log(right), weights=held_out_weight)))
        return len(losses) - 1 - int(np.argmin(losses)) >= AUTO_PATIENCE

    estimator._train(
        X[inner], y[inner],
        None if sample_weight is None else sample_weight[inner],
        data_seeds, estimator.epochs_, on_epoch_end=watch, classes=classes,
        trial=True,
    )  # fmt: skip
    # The trial left the rest of model_'s state as it was.
    restore_values(initial_weights)
    estimator.history_ = {}
    return int(np.argmin(losses)) + 1, losses
