"""The epoch count that ``epochs="auto"`` chooses on held-out rows, and the
fit on every row for that many epochs.

Kept apart from the estimators' base: one idea, the choice, whose training
is a trial that leaves the network as it was built (see ``_auto`` for the
rule and its figures).

The trial and the fit on every row can run at once, the trial in a second
thread. Why: on a few thousand sentences an epoch is some 40 training steps
of a small network, each a few hundred TensorFlow operations on small
tensors, which keep one core busy; the other core was idle for the whole
choice, which cost as much as the fit after it. The fit on every row goes
on to its next epoch only once the trial has shown that the choice is
more epochs than it has done, so it trains exactly the chosen number, and
the network ends as a fit of that many epochs would leave it
(``tests/test_epoch_choice.py`` checks this).
"""

import functools
import threading

import numpy as np

from ._auto import AUTO_PATIENCE, held_out_split
from ._keras._compat import thread_with_caller_settings
from ._keras._prediction import predict_in_chunks
from ._keras._startup import consume_onednn_bool_notice
from ._keras._trainers import (
    MAX_CACHED_PARAMETERS,
    copy_weights,
    restore_values,
    saved_values,
    training_variables,
)
from ._utils._validation import model_ids

#: The trial overlaps the fit on every row for networks of at most this
#: many weights. Each trains on a cached trainer of its own, of 1.5 to 1.7
#: times its weights, and both must stay in the cache beside those of a
#: search's other fits (its folds' and its refit's): with a limit of a
#: quarter of the cache, SST-5's folds evicted trainers, traced new ones,
#: and their cross-validation took 4.4 s against 3.9 s. Larger networks
#: also gain less: their steps do more arithmetic, which both cores share
#: already (SST-2's 2.8 million weights: a fit 6% faster, CR's 1.2 million:
#: 11%).
MAX_OVERLAP_PARAMETERS = MAX_CACHED_PARAMETERS // 6
#: Name of the trial's thread (seen in a debugger or a thread dump).
TRIAL_THREAD_NAME = "sk_embed epoch choice"


def fit_choosing_epochs(estimator, X, y, sample_weight, data_seeds):
    """Choose ``estimator.epochs_`` on held-out rows, set it and
    ``held_out_loss_``, and train ``model_`` (new) on every row for that
    many epochs; return the scikeras wrapper of that fit.

    The trial trains ``model_`` on most rows, one epoch at a time, until
    the log-loss of the held-out others has not improved for
    ``AUTO_PATIENCE`` epochs (or ``epochs_`` are done); the epoch count of
    the lowest is the choice.
    """
    held_out = _HeldOutLoss(estimator, X, y, sample_weight, data_seeds[1])
    if _can_overlap(estimator):
        wrapper = _overlapped(estimator, held_out, X, y, sample_weight, data_seeds)
    else:
        held_out.run_trial(estimator, X, sample_weight, data_seeds)
        epochs = held_out.best_epochs()
        wrapper = estimator._train(X, y, sample_weight, data_seeds, epochs)
    estimator.epochs_ = held_out.best_epochs()
    estimator.held_out_loss_ = list(held_out.losses)
    return wrapper


class _HeldOutLoss:
    """The held-out rows of an epoch choice, and the trial that scores them.

    ``model_`` scores them after each epoch, with the weights the trial's
    network reached: it predicts as it will once trained on every row (the
    trial's network may be a trainer standing in for it, see
    ``_trainers``, of an open width).
    """

    def __init__(self, estimator, X, y, sample_weight, seed):
        self.model = estimator.model_
        self.inner, held_out = held_out_split(y, seed)
        self.y = y
        self.classes = np.unique(y)
        self.codes = np.searchsorted(self.classes, y[held_out])
        self.ids = model_ids(X[held_out], estimator.vocab_size_)
        self.weight = None if sample_weight is None else sample_weight[held_out]
        self.losses = []

    def run_trial(self, estimator, X, sample_weight, data_seeds, on_epoch_end=None):
        """Train ``model_`` on the inner rows, scoring the held-out ones
        after each epoch (through ``on_epoch_end``, which calls
        :meth:`score`), and leave it as it was built."""
        # The trial leaves the rest of model_'s state as it was (see
        # trainer_for); its weights are those the held-out rows were
        # scored with.
        initial_weights = saved_values(self.model.weights)
        inner = self.inner
        try:
            estimator._train(
                X[inner], self.y[inner],
                None if sample_weight is None else sample_weight[inner],
                data_seeds, estimator.epochs_,
                on_epoch_end=on_epoch_end or self.score,
                classes=self.classes, trial=True,
            )  # fmt: skip
        finally:
            restore_values(initial_weights)
            estimator.history_ = {}

    def score(self, trained):
        """Record the held-out log-loss of ``trained``'s weights; return
        True once the patience is spent."""
        self.losses.append(self.log_loss(trained))
        return self.patience_spent()

    def log_loss(self, trained):
        if trained is not self.model:
            copy_weights(trained, self.model)
        proba = predict_in_chunks(self.model, self.ids).astype(np.float64)
        if proba.shape[1] == 1:  # one sigmoid unit: the second class
            proba = np.hstack([1.0 - proba, proba])
        right = np.clip(proba[np.arange(len(self.codes)), self.codes], 1e-7, 1.0)
        return float(np.average(-np.log(right), weights=self.weight))

    def patience_spent(self):
        return len(self.losses) - self.best_epochs() >= AUTO_PATIENCE

    def best_epochs(self):
        """The epoch count of the lowest held-out loss so far."""
        return int(np.argmin(self.losses)) + 1

    def beaten_after(self, epochs):
        """Whether an epoch after the first ``epochs`` has scored lower
        than all of them: then the choice is more than ``epochs``."""
        first = min(self.losses[:epochs], default=np.inf)
        return any(loss < first for loss in self.losses[epochs:])


def _can_overlap(estimator):
    """Whether the trial can run beside the fit on every row: both train on
    cached trainers (see ``_trainers``; never ``model_`` itself, which the
    trial scores with), and nobody watches the fit's epochs, which may stop
    before the ``epochs_`` they were announced."""
    return (
        getattr(estimator, "_trainer_plan", None) is not None
        and estimator.model_.count_params() <= MAX_OVERLAP_PARAMETERS
        and not estimator.callbacks
        and not estimator.verbose
        and not estimator.validation_split
    )


def _overlapped(estimator, held_out, X, y, sample_weight, data_seeds):
    """Run the trial in a second thread, beside the fit on every row in
    this one, which stops at the chosen epoch count; return its wrapper."""
    # Made here, not by both threads at once: model_'s optimizer variables
    # (copied into each trainer) and TensorFlow's first logged notice.
    training_variables(estimator.model_)
    consume_onednn_bool_notice()
    overlap = _Overlap(held_out)

    def run_trial():
        held_out.run_trial(
            estimator, X, sample_weight, data_seeds,
            on_epoch_end=overlap.trial_epoch_end,
        )  # fmt: skip

    trial = thread_with_caller_settings(
        functools.partial(overlap.run, run_trial), name=TRIAL_THREAD_NAME
    )
    trial.start()
    try:
        return estimator._train(
            X, y, sample_weight, data_seeds, estimator.epochs_,
            on_epoch_end=overlap.fit_epoch_end,
        )  # fmt: skip
    except BaseException:
        overlap.cancel()
        raise
    finally:
        trial.join()


class _Overlap:
    """What the trial (in its thread) and the fit on every row (in the
    estimator's) tell each other, under one lock.

    The trial scores the held-out rows with ``model_``'s weights, so it
    waits until the fit on every row has copied ``model_``'s initial state
    into its trainer (it has, once its first epoch ended), and puts them
    back before it ends. The fit on every row goes on after its epoch ``k``
    once the trial shows that the choice is more than ``k`` epochs, and
    stops once the trial has ended without showing it: it has then trained
    the chosen number. It never stops before the trial has ended, so
    ``model_`` gets its trained state after the trial put its own back.
    """

    def __init__(self, held_out):
        self._held_out = held_out
        self._changed = threading.Condition()
        self._fit_epochs = 0
        self._trial_ended = False
        self._trial_error = None
        self._cancelled = False

    def run(self, trial):
        try:
            trial()
        except BaseException as error:  # re-raised in the estimator's thread
            self._trial_error = error
        finally:
            with self._changed:
                self._trial_ended = True
                self._changed.notify_all()

    def trial_epoch_end(self, trained):
        with self._changed:
            self._changed.wait_for(lambda: self._fit_epochs or self._cancelled)
            if self._cancelled:
                return True
        loss = self._held_out.log_loss(trained)
        with self._changed:
            self._held_out.losses.append(loss)
            self._changed.notify_all()
            return self._held_out.patience_spent()

    def fit_epoch_end(self, model):
        with self._changed:
            self._fit_epochs += 1
            self._changed.notify_all()
            done = self._fit_epochs
            beaten = functools.partial(self._held_out.beaten_after, done)
            self._changed.wait_for(lambda: self._trial_ended or beaten())
            if self._trial_error is not None:
                raise self._trial_error
            return not beaten()

    def cancel(self):
        with self._changed:
            self._cancelled = True
            self._changed.notify_all()
