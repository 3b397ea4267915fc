"""Tests of sk_embed.plot_history, drawn from real training histories."""

import importlib.util
import os
import sys

import numpy as np
import pytest

# Never open a window: the tests only inspect the figures. (A backend chosen
# by the user's environment is respected; headless machines pick Agg anyway.)
os.environ.setdefault("MPLBACKEND", "Agg")
matplotlib = pytest.importorskip("matplotlib")
plt = pytest.importorskip("matplotlib.pyplot")

from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sk_embed import (  # noqa: E402
    PadTransformer,
    SequenceEmbeddingClassifier,
    plot_history,
)

EPOCHS = 3


def _data():
    X = np.random.RandomState(0).randint(1, 50, size=(120, 10))
    y = (X[:, -1] > 25).astype(int)
    return X, y


@pytest.fixture(scope="module")
def clf_with_validation():
    X, y = _data()
    return SequenceEmbeddingClassifier(
        epochs=EPOCHS, validation_split=0.25, random_state=0
    ).fit(X, y)


@pytest.fixture(scope="module")
def clf_without_validation():
    X, y = _data()
    return SequenceEmbeddingClassifier(epochs=EPOCHS, random_state=0).fit(X, y)


def _legend_texts(axis):
    return [text.get_text() for text in axis.get_legend().get_texts()]


def test_real_history_with_validation(clf_with_validation, no_new_figures):
    history = clf_with_validation.history_
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    fig, axes = plot_history(clf_with_validation)
    try:
        assert isinstance(fig, matplotlib.figure.Figure)
        assert isinstance(axes, np.ndarray) and axes.shape == (2,)
        assert all(axis.get_figure() is fig for axis in axes)
        for metric, axis in zip(["loss", "accuracy"], axes):
            train, val = axis.get_lines()
            for line, key in [(train, metric), (val, f"val_{metric}")]:
                np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
                np.testing.assert_allclose(line.get_ydata(), history[key])
            assert train.get_label() == f"Training {metric}"
            assert val.get_label() == f"Validation {metric}"
            assert _legend_texts(axis) == [f"Training {metric}", f"Validation {metric}"]
            assert axis.get_title() == f"Training and validation {metric}"
            assert axis.get_xlabel() == "Epoch"
            assert axis.get_ylabel() == metric.capitalize()
            # Whole epochs only on the x axis.
            ticks = [t for t in axis.get_xticks() if 1 <= t <= EPOCHS]
            assert ticks and all(float(t).is_integer() for t in ticks)
    finally:
        plt.close(fig)


def test_real_history_without_validation(clf_without_validation, no_new_figures):
    history = clf_without_validation.history_
    assert set(history) == {"loss", "accuracy"}
    fig, axes = plot_history(clf_without_validation)
    try:
        assert axes.shape == (2,)
        for metric, axis in zip(["loss", "accuracy"], axes):
            (line,) = axis.get_lines()
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, EPOCHS + 1))
            np.testing.assert_allclose(line.get_ydata(), history[metric])
            assert _legend_texts(axis) == [f"Training {metric}"]
            assert axis.get_title() == f"Training {metric}"
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    "metrics, expected",
    [
        ("accuracy", ["accuracy"]),
        (["accuracy"], ["accuracy"]),
        (("accuracy", "loss"), ["accuracy", "loss"]),
        (["loss"], ["loss"]),
        (None, ["loss", "accuracy"]),
    ],
)
def test_metrics_selection(clf_with_validation, metrics, expected, no_new_figures):
    fig, axes = plot_history(clf_with_validation, metrics=metrics)
    try:
        assert axes.shape == (len(expected),)
        assert len(fig.axes) == len(expected)
        for metric, axis in zip(expected, axes):
            assert len(axis.get_lines()) == 2
            np.testing.assert_allclose(
                axis.get_lines()[0].get_ydata(), clf_with_validation.history_[metric]
            )
            assert axis.get_ylabel() == metric.capitalize()
    finally:
        plt.close(fig)


def test_pipeline_uses_last_step(no_new_figures):
    X, y = _data()
    pipe = make_pipeline(
        PadTransformer(maxlen=10),
        SequenceEmbeddingClassifier(epochs=2, validation_split=0.25, random_state=0),
    ).fit(list(X), y)
    fig, axes = plot_history(pipe, metrics="loss")
    try:
        train, val = axes[0].get_lines()
        np.testing.assert_allclose(train.get_ydata(), pipe[-1].history_["loss"])
        np.testing.assert_allclose(val.get_ydata(), pipe[-1].history_["val_loss"])
        np.testing.assert_array_equal(train.get_xdata(), [1, 2])
    finally:
        plt.close(fig)


def test_dict_and_keras_history_give_the_same_plot(
    clf_with_validation, no_new_figures
):
    keras = pytest.importorskip("keras")
    history = clf_with_validation.history_
    callback = keras.callbacks.History()
    callback.history = dict(history)
    for source in (history, callback):
        fig, axes = plot_history(source)
        try:
            assert [len(axis.get_lines()) for axis in axes] == [2, 2]
            np.testing.assert_allclose(
                axes[1].get_lines()[1].get_ydata(), history["val_accuracy"]
            )
        finally:
            plt.close(fig)


def test_other_metric_names_and_lengths(no_new_figures):
    # A regressor's history: no accuracy, and any metric name.
    history = {
        "loss": [4.0, 2.0, 1.0, 0.5],
        "mean_absolute_error": [1.8, 1.2, 0.9, 0.6],
        "val_loss": [4.5, 2.5, 1.5, 1.4],
        "val_mean_absolute_error": [1.9, 1.3, 1.0, 0.9],
    }
    fig, axes = plot_history(history)
    try:
        assert [axis.get_ylabel() for axis in axes] == ["Loss", "Mean absolute error"]
        np.testing.assert_array_equal(axes[1].get_lines()[0].get_xdata(), [1, 2, 3, 4])
    finally:
        plt.close(fig)


def test_given_axes_are_used(clf_with_validation, no_new_figures):
    fig, ax = plt.subplots()
    try:
        out_fig, axes = plot_history(clf_with_validation, "accuracy", ax=ax)
        assert out_fig is fig
        assert axes.shape == (1,) and axes[0] is ax
        assert len(ax.get_lines()) == 2
        with pytest.raises(ValueError, match="one Axes per metric"):
            plot_history(clf_with_validation, ax=ax)
    finally:
        plt.close(fig)


def test_unknown_metric_lists_the_available_ones(clf_with_validation):
    with pytest.raises(ValueError, match="'f1'.*'loss', 'accuracy'"):
        plot_history(clf_with_validation, metrics=["loss", "f1"])
    with pytest.raises(ValueError, match="Pass 'loss'"):
        plot_history(clf_with_validation, metrics="val_loss")
    with pytest.raises(ValueError, match="at least one"):
        plot_history(clf_with_validation, metrics=[])


def test_empty_history():
    with pytest.raises(ValueError, match="empty"):
        plot_history({})


def test_unfitted_estimator_raises_not_fitted():
    with pytest.raises(NotFittedError, match="plot_history"):
        plot_history(SequenceEmbeddingClassifier())
    with pytest.raises(NotFittedError):
        plot_history(make_pipeline(PadTransformer(), SequenceEmbeddingClassifier()))


def test_wrong_input_type():
    with pytest.raises(TypeError, match="history_"):
        plot_history([0.5, 0.4])


def test_backend_unchanged_and_nothing_shown(
    clf_with_validation, monkeypatch, no_new_figures
):
    backend = matplotlib.get_backend()

    def fail_show(*args, **kwargs):
        raise AssertionError("plot_history must not call plt.show")

    monkeypatch.setattr(plt, "show", fail_show)
    fig, _ = plot_history(clf_with_validation)
    plt.close(fig)
    assert matplotlib.get_backend() == backend


def test_missing_matplotlib_gives_clear_error(monkeypatch, clf_with_validation):
    # None in sys.modules makes ``import matplotlib.pyplot`` raise ImportError.
    for name in ("matplotlib", "matplotlib.pyplot", "matplotlib.ticker"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install matplotlib.*sk_embed\[plot\]"):
        plot_history(clf_with_validation)


def _load_without_matplotlib(module):
    # Inside the package, so that its relative imports resolve.
    spec = importlib.util.spec_from_file_location(
        f"{module.__name__}_without_matplotlib", module.__file__
    )
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)  # must not raise
    return loaded


def test_module_imports_without_matplotlib(monkeypatch):
    import sk_embed._inspection._history
    import sk_embed._inspection._word_map

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    history = _load_without_matplotlib(sk_embed._inspection._history)
    word_map = _load_without_matplotlib(sk_embed._inspection._word_map)
    with pytest.raises(ImportError, match="plot_history requires matplotlib"):
        history.plot_history({"loss": [1.0]})
    with pytest.raises(ImportError, match="plot_embeddings requires matplotlib"):
        word_map.plot_embeddings(object())
