"""The epoch choice's trial, run beside the fit on every row: the same
result as one after the other, and failures on either side handled."""

import threading

import keras
import numpy as np
import pytest
from sklearn import config_context, get_config

from sk_embed import make_text_classifier
from sk_embed import _epoch_choice
from sk_embed._keras import _trainers
from sk_embed._keras._compat import thread_with_caller_settings
from test_auto import _noisy_texts

TEXTS, Y = _noisy_texts(1500, noise=0.3, seed=1)


def _trial_threads():
    names = [thread.name for thread in threading.enumerate()]
    return [name for name in names if name == _epoch_choice.TRIAL_THREAD_NAME]


def _one_after_the_other(monkeypatch):
    monkeypatch.setattr(_epoch_choice, "MAX_OVERLAP_PARAMETERS", 0)


def test_the_overlapped_trial_chooses_and_fits_as_one_after_the_other(monkeypatch):
    overlapped = make_text_classifier(random_state=0).fit(TEXTS, Y)
    assert _epoch_choice._can_overlap(overlapped[-1])
    _one_after_the_other(monkeypatch)
    assert not _epoch_choice._can_overlap(overlapped[-1])
    sequential = make_text_classifier(random_state=0).fit(TEXTS, Y)
    assert overlapped[-1].epochs_ == sequential[-1].epochs_ < 4
    assert overlapped[-1].held_out_loss_ == sequential[-1].held_out_loss_
    assert overlapped[-1].history_ == sequential[-1].history_
    np.testing.assert_array_equal(
        overlapped.predict_proba(TEXTS[:200]), sequential.predict_proba(TEXTS[:200])
    )


def test_the_trial_scores_only_once_the_fit_has_its_initial_state(monkeypatch):
    expected = make_text_classifier(random_state=0).fit(TEXTS, Y)
    scored, copies = threading.Event(), []
    score, copy = _epoch_choice._HeldOutLoss.log_loss, _trainers.copy_training_state

    def signalled(self, trained):
        loss = score(self, trained)
        scored.set()
        return loss

    def late(source, target):
        # The fit on every row takes the network's initial state (its first
        # copy) late: had the trial scored an epoch by then, the network
        # would hold the trial's weights. The trial must not score before.
        if threading.current_thread().name != _epoch_choice.TRIAL_THREAD_NAME:
            if not copies:
                scored.wait(timeout=2)
            copies.append(source)
        copy(source, target)

    monkeypatch.setattr(_epoch_choice._HeldOutLoss, "log_loss", signalled)
    monkeypatch.setattr(_trainers, "copy_training_state", late)
    late_fit = make_text_classifier(random_state=0).fit(TEXTS, Y)
    assert late_fit[-1].held_out_loss_ == expected[-1].held_out_loss_
    np.testing.assert_array_equal(
        late_fit.predict_proba(TEXTS[:200]), expected.predict_proba(TEXTS[:200])
    )


@pytest.mark.parametrize("epochs_wanted", [1, 2, 3, 4])
def test_the_fit_stops_at_the_epoch_the_trial_chooses(monkeypatch, epochs_wanted):
    # Held-out losses that fall until epochs_wanted and rise after it.
    scores = iter([10.0 - min(e, epochs_wanted) + max(e - epochs_wanted, 0) * 2
                   for e in range(1, 5)])  # fmt: skip
    monkeypatch.setattr(
        _epoch_choice._HeldOutLoss, "log_loss", lambda self, trained: next(scores)
    )
    clf = make_text_classifier(random_state=0).fit(TEXTS, Y)[-1]
    assert clf.epochs_ == epochs_wanted
    assert len(clf.history_["loss"]) == epochs_wanted
    assert len(clf.held_out_loss_) == min(epochs_wanted + 1, 4)


def test_an_error_in_the_trial_reaches_the_caller_and_leaves_the_fit(monkeypatch):
    pipe = make_text_classifier(random_state=0).fit(TEXTS, Y)
    before = pipe.predict_proba(TEXTS[:50])
    model = pipe[-1].model_

    def fail(self, trained):
        raise MemoryError("no room to score")

    monkeypatch.setattr(_epoch_choice._HeldOutLoss, "log_loss", fail)
    with pytest.raises(MemoryError, match="no room to score"):
        pipe.fit(TEXTS, Y)
    assert not _trial_threads()
    assert pipe[-1].model_ is model
    np.testing.assert_array_equal(pipe.predict_proba(TEXTS[:50]), before)


def test_an_interrupted_fit_stops_the_trial(monkeypatch):
    pipe = make_text_classifier(random_state=0).fit(TEXTS, Y)
    before = pipe.predict_proba(TEXTS[:50])
    trial_epochs = []
    score = _epoch_choice._HeldOutLoss.log_loss

    def counted(self, trained):
        trial_epochs.append(1)
        return score(self, trained)

    def interrupted(self, model):
        raise KeyboardInterrupt

    monkeypatch.setattr(_epoch_choice._HeldOutLoss, "log_loss", counted)
    monkeypatch.setattr(_epoch_choice._Overlap, "fit_epoch_end", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipe.fit(TEXTS, Y)
    assert not _trial_threads()
    # The trial ended at its first epoch's end, without scoring it.
    assert trial_epochs == []
    np.testing.assert_array_equal(pipe.predict_proba(TEXTS[:50]), before)


def test_a_thread_gets_the_settings_of_its_starter():
    seen = []

    def look():
        seen.append((keras.config.dtype_policy().name, get_config()["assume_finite"]))

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        with config_context(assume_finite=True):
            thread = thread_with_caller_settings(look, name="t")
        thread.start()
        thread.join()
    finally:
        keras.config.set_dtype_policy(previous)
    assert seen == [("mixed_bfloat16", True)]
    assert keras.config.dtype_policy().name == previous.name
    assert not get_config()["assume_finite"]
